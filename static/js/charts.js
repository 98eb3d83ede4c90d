// Draws every chart on the page from its JSON figure (no inline script: the page's CSP forbids it),
// and keeps each one fitted to its container as the window or the container changes size:
// - a figure whose layout.meta has `narrow` gets its narrow variant (shorter labels, smaller
//   margins) while the chart is narrower than `narrow.below` pixels, and its wide one otherwise;
// - a figure whose layout.meta has `grid` (square markers drawn as a grid, as the heatmaps are)
//   gets markers sized to fit a cell, and the numbers in the cells only where they fit (the table
//   under the chart always has them).
(() => {
  const Plotly = window.Plotly;

  // Set `value` at a dotted `path` ("xaxis.ticktext") inside `target`; null removes it.
  function assign(target, path, value) {
    const keys = path.split(".");
    let node = target;
    keys.slice(0, -1).forEach((key) => {
      if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
      node = node[key];
    });
    const last = keys[keys.length - 1];
    if (value === null) delete node[last];
    else node[last] = value;
  }

  // A variant applied to the figure before it is first drawn (the same updates Plotly.update takes).
  function applyToFigure(figure, variant) {
    Object.entries(variant.layout || {}).forEach(([path, value]) => assign(figure.layout, path, value));
    Object.entries(variant.data || {}).forEach(([path, values]) => {
      values.forEach((value, i) => { if (figure.data[i]) assign(figure.data[i], path, value); });
    });
  }

  function variantFor(meta, width, narrow) {
    return narrow ? { layout: meta.narrow.layout, data: meta.narrow.data } : meta.narrow.wide;
  }

  // Marker size and text for a grid of square cells in the plot area as it is now.
  function gridStyle(element, grid) {
    const size = element._fullLayout && element._fullLayout._size;
    if (!size || !grid.columns || !grid.rows) return null;
    const cell = Math.min(size.w / grid.columns, size.h / grid.rows);
    const marker = Math.max(6, Math.min(grid.max, Math.floor(cell - 4)));
    return { "marker.size": [marker], mode: [marker >= grid.text ? "markers+text" : "markers"] };
  }

  function draw(element) {
    const source = document.getElementById(element.dataset.plotly);
    if (!source || !Plotly) return;
    const figure = JSON.parse(source.textContent);
    const meta = (figure.layout && figure.layout.meta) || {};
    let narrow = false;
    if (meta.narrow) {
      narrow = element.clientWidth < meta.narrow.below;
      if (narrow) applyToFigure(figure, variantFor(meta, element.clientWidth, true));
    }
    if (figure.layout && figure.layout.height) element.style.height = `${figure.layout.height}px`;
    let busy = Promise.resolve();
    let last = null;

    function fit() {
      busy = busy.then(async () => {
        const width = element.clientWidth;
        if (!width || width === last) return;
        last = width;
        if (meta.narrow && (width < meta.narrow.below) !== narrow) {
          narrow = !narrow;
          const variant = variantFor(meta, width, narrow);
          await Plotly.update(element, variant.data || {}, variant.layout || {});
        }
        await Plotly.Plots.resize(element);
        if (meta.grid) {
          const style = gridStyle(element, meta.grid);
          const trace = element.data[0] || {};
          if (style && (trace.marker || {}).size !== style["marker.size"][0] || style && trace.mode !== style.mode[0]) {
            await Plotly.restyle(element, style);
          }
        }
        // With `responsive`, plotly.js may size its container to 100% of ours: give ours the figure's height.
        if (element._fullLayout) element.style.height = `${element._fullLayout.height}px`;
        element.dataset.plotlyWidth = String(width); // for tests: the chart has been fitted to this width
      }).catch(() => {});
      return busy;
    }

    Plotly.newPlot(element, figure.data, figure.layout, { displayModeBar: false, responsive: true }).then(fit);
    if (window.ResizeObserver) new ResizeObserver(() => fit()).observe(element);
    else window.addEventListener("resize", fit);
  }

  document.querySelectorAll("[data-plotly]").forEach(draw);
})();
