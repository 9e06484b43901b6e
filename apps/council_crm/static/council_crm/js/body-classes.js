// GOV.UK Frontend's body classes, set before the page is drawn (a blocking script at the start
// of <body>): js-enabled, and govuk-frontend-supported where the browser runs ES modules.
// GOV.UK's template does this with an inline script; the Content Security Policy allows none.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
