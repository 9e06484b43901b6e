// GOV.UK Frontend's components (loaded as a module, so only browsers it supports run it;
// every page works without JavaScript).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
