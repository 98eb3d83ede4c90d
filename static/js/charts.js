// Draws every chart on the page from its JSON figure (no inline script: the page's CSP forbids it).
document.querySelectorAll("[data-plotly]").forEach((element) => {
  const source = document.getElementById(element.dataset.plotly);
  if (!source || !window.Plotly) return;
  const figure = JSON.parse(source.textContent);
  window.Plotly.newPlot(element, figure.data, figure.layout, { displayModeBar: false, responsive: true });
});
