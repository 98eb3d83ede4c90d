// Starts the NHS.UK frontend components (menus, details, character counts...).
// "nhsuk-frontend" is mapped to the hashed file name by the import map in templates/layout.html.
import { initAll } from "nhsuk-frontend";

initAll();
