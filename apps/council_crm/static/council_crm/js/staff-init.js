// MOJ Frontend's components on the staff pages (GOV.UK Frontend's are started by govuk-init.js).
// Loaded as a module: browsers without module support get the plain pages, which work alone.
import { initAll } from "../vendor/moj/moj-frontend.min.js";

initAll();
