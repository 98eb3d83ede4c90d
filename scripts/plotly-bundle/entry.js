// The portal's plotly.js: the core (which holds the scatter trace) and the other traces charts.py
// draws. Add a trace here when charts.py starts using it; tests/test_static_assets.py checks the two agree.
var Plotly = require("plotly.js/lib/core");

Plotly.register([
  require("plotly.js/lib/bar"),
  require("plotly.js/lib/scatterpolar"),
]);

module.exports = Plotly;
