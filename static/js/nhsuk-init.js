// Starts the NHS.UK frontend's components (header menu, error summary focus, checkboxes,
// radios, skip link) on every page; the pages work without it.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();
