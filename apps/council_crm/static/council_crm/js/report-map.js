/*
 * The report's "where" step: a map to drop a pin on, and "Use my location".
 *
 * Progressive enhancement over the street search: without JavaScript (or without Leaflet) the
 * map section stays hidden. The base layer is the council's division boundaries (GeoJSON from
 * /report/map/divisions.geojson); a tile layer is added only when the site sets a tile URL.
 * The pin fills two hidden inputs; the server checks the point again before keeping it.
 */
(function () {
  "use strict";

  var mapLink = document.getElementById("report-map-link");
  if (mapLink && window.L) {
    mapLink.hidden = false; // a page of search results: the map is one link away
  }
  var section = document.getElementById("report-map-section");
  var el = document.getElementById("report-map");
  var form = document.getElementById("report-pin-form");
  if (!section || !el || !form || !window.L || !window.fetch) {
    return;
  }
  var L = window.L;
  var data = el.dataset;
  var latInput = form.querySelector("[name=latitude]");
  var lonInput = form.querySelector("[name=longitude]");
  var status = document.getElementById("report-map-status");
  var errorBox = document.getElementById("report-map-error");
  var group = document.getElementById("report-map-group");
  var locate = document.getElementById("report-map-locate");

  function numbers(text) {
    var parts = (text || "").split(",").map(Number);
    return parts.length > 1 && parts.every(isFinite) && text.trim() !== "" ? parts : null;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function showError(message) {
    errorBox.textContent = "";
    var prefix = document.createElement("span");
    prefix.className = "govuk-visually-hidden";
    prefix.textContent = data.msgErrorPrefix + " ";
    errorBox.appendChild(prefix);
    errorBox.appendChild(document.createTextNode(message));
    errorBox.hidden = false;
    group.classList.add("govuk-form-group--error");
    el.setAttribute("aria-describedby", "report-map-instructions report-map-error");
    status.textContent = message;
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    group.classList.remove("govuk-form-group--error");
    el.setAttribute("aria-describedby", "report-map-instructions");
    clearSummary();
  }

  // The page may have come back from the server with the pin's error in the error summary.
  // Once a valid pin is placed that error is no longer true: its line goes, and with the last
  // line the summary and the "Error:" at the start of the page title go too.
  function clearSummary() {
    var summary = document.querySelector(".govuk-error-summary");
    if (!summary) {
      return;
    }
    var links = summary.querySelectorAll('a[href="#' + el.id + '"]');
    for (var i = 0; i < links.length; i++) {
      var item = links[i].closest("li");
      if (item) {
        item.parentNode.removeChild(item);
      }
    }
    if (!summary.querySelector("li")) {
      summary.parentNode.removeChild(summary);
      var prefix = data.msgErrorPrefix + " ";
      if (document.title.indexOf(prefix) === 0) {
        document.title = document.title.slice(prefix.length);
      }
    }
  }

  // --- point in polygon (GeoJSON Polygon / MultiPolygon, holes included) -------------------

  function inRing(lon, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0];
      var yi = ring[i][1];
      var xj = ring[j][0];
      var yj = ring[j][1];
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  function inPolygon(lon, lat, rings) {
    if (!inRing(lon, lat, rings[0])) {
      return false;
    }
    for (var i = 1; i < rings.length; i++) {
      if (inRing(lon, lat, rings[i])) {
        return false;
      }
    }
    return true;
  }

  var divisions = null; // the features, once loaded

  // The division's name, "" when outside every division, null while the boundaries load.
  function divisionAt(latlng) {
    if (!divisions) {
      return null;
    }
    for (var i = 0; i < divisions.length; i++) {
      var g = divisions[i].geometry;
      var polygons = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
      for (var k = 0; k < polygons.length; k++) {
        if (inPolygon(latlng.lng, latlng.lat, polygons[k])) {
          return divisions[i].properties.name;
        }
      }
    }
    return "";
  }

  // --- the map ------------------------------------------------------------------------------

  section.hidden = false;
  L.Icon.Default.imagePath = data.icons;
  var map = L.map(el, { attributionControl: false, keyboard: true, zoomSnap: 0.25 });
  var bounds = numbers(data.bounds);
  var centre = numbers(data.centre) || [54, -2];
  if (bounds) {
    var area = L.latLngBounds([bounds[0], bounds[1]], [bounds[2], bounds[3]]);
    map.fitBounds(area);
    map.setMaxBounds(area.pad(0.5));
  } else {
    map.setView(centre, Number(data.zoom) || 11);
  }
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19 }).addTo(map);
  }

  // Show a point: closer in when there are tiles to see; the outlines alone say little more.
  function show(latlng) {
    map.setView(latlng, data.tiles ? Math.max(map.getZoom(), 16) : map.getZoom());
  }
  var primary =
    getComputedStyle(document.documentElement).getPropertyValue("--council-primary").trim() ||
    "#1d70b8";
  var wide = el.clientWidth >= 600;

  var marker = null;
  var lastGood = null; // the pin goes back here when moved outside the area

  // Put the pin at a point (how: "clicked", "dragged", "keyboard", "located", "initial" or
  // "loaded"); a point outside every division is refused with an error. The hidden inputs
  // always hold where the pin is.
  function place(latlng, how) {
    var lat = Number(latlng.lat.toFixed(6));
    var lng = Number(latlng.lng.toFixed(6));
    var division = divisionAt(latlng);
    if (division === "") {
      showError(how === "located" ? data.msgLocatedOutside : data.msgOutside);
      if (marker && lastGood) {
        marker.setLatLng(lastGood);
      } else if (marker) {
        map.removeLayer(marker);
        marker = null;
        latInput.value = "";
        lonInput.value = "";
      }
      return false;
    }
    lastGood = latlng;
    latInput.value = String(lat);
    lonInput.value = String(lng);
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, {
        draggable: true,
        keyboard: true,
        autoPan: true,
        title: data.pinLabel,
        alt: data.pinLabel,
      }).addTo(map);
      marker.on("dragend", function () {
        place(marker.getLatLng(), "dragged");
      });
    }
    if (how === "initial") {
      return true; // the page already says where it is, or why the server refused it
    }
    clearError();
    var values = { division: division, latitude: lat.toFixed(5), longitude: lng.toFixed(5) };
    status.textContent = format(division ? data.msgPlaced : data.msgPlacedUnknown, values);
    return true;
  }

  map.on("click", function (event) {
    place(event.latlng, "clicked");
  });
  el.addEventListener("keydown", function (event) {
    if (event.target === el && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      place(map.getCenter(), "keyboard");
    }
  });

  var initial = numbers(data.pin);

  fetch(data.divisions, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (collection) {
      divisions = collection.features || [];
      var layer = L.geoJSON(collection, {
        style: function (feature) {
          return {
            color: primary,
            weight: 2,
            fillColor: primary,
            fillOpacity: 0.08,
            className: "crm-division crm-division-" + feature.properties.code,
          };
        },
        onEachFeature: function (feature, polygon) {
          polygon.bindTooltip(feature.properties.name, {
            permanent: wide,
            sticky: !wide,
            direction: "center",
            className: "crm-report-map__label",
          });
        },
      }).addTo(map);
      if (!bounds && layer.getBounds().isValid()) {
        map.fitBounds(layer.getBounds());
      }
      if (marker && (errorBox.hidden || !initial)) {
        place(marker.getLatLng(), "loaded"); // name the division of a pin dropped while loading
      }
    })
    .catch(function () {
      divisions = null; // the server still checks the point
    });

  if (initial) {
    place(L.latLng(initial[0], initial[1]), "initial");
    show(marker ? marker.getLatLng() : L.latLng(initial[0], initial[1]));
  }

  // --- use my location ----------------------------------------------------------------------

  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = data.msgLocating;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          if (place(latlng, "located")) {
            show(latlng);
          }
        },
        function (error) {
          showError(error.code === 1 ? data.msgDenied : data.msgUnavailable);
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
      );
    });
  }
})();
