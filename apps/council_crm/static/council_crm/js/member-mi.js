/*
 * Management information: draws each table's chart (Chart.js) from the same figures as the
 * table (json_script beside it), the choropleth of divisions and the heat grid (Leaflet, the
 * division boundaries as base layer, no tiles). Hidden (suppressed) figures are null and left
 * blank. Without JavaScript the tables carry every figure.
 */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var colours = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#505a5f"];

  if (window.Chart) {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = data(canvas.dataset.chart);
      if (!chart) {
        return;
      }
      var line = canvas.dataset.kind === "line";
      new window.Chart(canvas, {
        type: line ? "line" : "bar",
        data: {
          labels: chart.labels,
          datasets: chart.series.map(function (s, i) {
            return {
              label: s.label,
              data: s.data,
              backgroundColor: colours[i % colours.length],
              borderColor: colours[i % colours.length],
              spanGaps: false
            };
          })
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          indexAxis: line ? "x" : "y",
          scales: line ? {} : { x: { stacked: true }, y: { stacked: true } }
        }
      });
    });
  }

  if (!window.L || !window.fetch) {
    return;
  }
  var L = window.L;
  var shades = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

  function shade(value, max) {
    if (value === null || value === undefined || !max) {
      return null;
    }
    return shades[Math.min(shades.length - 1, Math.floor((value / max) * shades.length))];
  }

  function baseMap(el, onBoundaries) {
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: false });
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) { onBoundaries(map, geojson); });
    return map;
  }

  var choropleth = document.getElementById("mi-choropleth");
  var counts = data("mi-choropleth-data");
  if (choropleth && counts) {
    var byCode = {};
    var max = 0;
    counts.forEach(function (d) {
      byCode[d.code] = d;
      if (d.count) { max = Math.max(max, d.count); }
    });
    baseMap(choropleth, function (map, geojson) {
      var layer = L.geoJSON(geojson, {
        style: function (feature) {
          var d = byCode[feature.properties.code] || {};
          var fill = shade(d.count, max);
          return { color: "#0b0c0c", weight: 1, fillColor: fill || "#ffffff", fillOpacity: fill ? 0.8 : 0.2 };
        },
        onEachFeature: function (feature, lyr) {
          var d = byCode[feature.properties.code] || {};
          var text = (d.name || feature.properties.name) + ": " +
            (d.count === null || d.count === undefined ? "–" : d.count) + " " + choropleth.dataset.label;
          lyr.bindTooltip(text);
        }
      });
      map.fitBounds(layer.getBounds()); // a view first: paths are drawn relative to it
      layer.addTo(map);
    });
  }

  var heat = document.getElementById("mi-heatgrid");
  var cells = data("mi-heatgrid-data");
  if (heat && cells) {
    var top = 0;
    cells.forEach(function (c) { top = Math.max(top, c.count); });
    baseMap(heat, function (map, geojson) {
      var outline = L.geoJSON(geojson, { style: { color: "#505a5f", weight: 1, fillOpacity: 0 } });
      map.fitBounds(outline.getBounds());
      outline.addTo(map);
      cells.forEach(function (c) {
        var b = c.bounds;
        L.rectangle([[b[0], b[1]], [b[2], b[3]]], {
          stroke: false, fillColor: shade(c.count, top), fillOpacity: 0.85
        }).bindTooltip(String(c.count)).addTo(map);
      });
    });
  }
})();
