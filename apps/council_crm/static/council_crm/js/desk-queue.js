// The desk queue's filter panel: below desktop width MOJ's "Show filter" button opens it as an
// overlay. MOJ's initAll leaves this component out (it needs the page's containers), so the
// queue starts it here; without JavaScript the panel simply stands above the list.
import { FilterToggleButton } from "../vendor/moj/moj-frontend.min.js";

for (const root of document.querySelectorAll('[data-module="moj-filter"]')) {
  new FilterToggleButton(root);
}
