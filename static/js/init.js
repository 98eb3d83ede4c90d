// Starts the NHS.UK frontend components (menus, details, character counts...).
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
