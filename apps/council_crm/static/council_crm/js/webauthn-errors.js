// Security keys and passkeys (allauth.mfa's WebAuthn pages): allauth's own scripts run the
// browser's key prompt and report a failure as an "allauth.error" event, which would otherwise
// only reach the console. Show it in the page's GOV.UK error message instead.
(function () {
  'use strict'
  document.addEventListener('allauth.error', function (event) {
    var box = document.getElementById('webauthn-error')
    if (!box) { return }
    event.preventDefault()
    var name = event.detail && event.detail.exception && event.detail.exception.name
    var text = box.getAttribute(name === 'NotAllowedError' ? 'data-cancelled' : 'data-failed')
    box.querySelector('[data-message]').textContent = text
    box.hidden = false
    box.focus()
  })
})()
