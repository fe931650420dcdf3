/*
 * The district map page: sign-in, filters, the hazard map and the area choropleth, the areas ranked by on-time
 * rectification, the ledger export, and the detail panel where a reviewer decides a submitted rectification.
 *
 * The map opens on the caller's own ground: an inspector's area, an enterprise officer's plant, the district for
 * reviewers and admins (MAP_CENTER when that cannot be had), with the streets shaded and named for reviewers and
 * admins. Zoomed out the server sends clusters (it counts in the database), zoomed in single hazards; the
 * page asks again for the visible box after every move or zoom. Points and areas come as WGS-84 and
 * are shifted to GCJ-02 only for drawing when the base map is in GCJ-02 (MAP_TILE_CRS=gcj02).
 */
(function () {
  'use strict';

  const CONFIG = JSON.parse(document.getElementById('map-config').textContent);
  const L = window.L;
  const Layers = window.HazardLayers;
  const Gcj02 = window.Gcj02;
  const REFETCH_DELAY_MS = 250;
  const MAX_ZOOM = 18;
  const POINT_ZOOM = 16; // the server's: single hazards from here on
  const PANEL_GAP_PX = 16; // between a popup and the detail panel

  const $ = function (id) { return document.getElementById(id); };
  const ui = {
    signin: $('signin'), signinForm: $('signin-form'), signinError: $('signin-error'),
    app: $('app'), who: $('who'), whoName: $('who-name'), signOut: $('sign-out'),
    filters: $('filters'), statusChecks: $('f-status'), category: $('f-category'), area: $('f-area'),
    from: $('f-from'), to: $('f-to'),
    hazardsToggle: $('layer-hazards'), areasToggle: $('layer-areas'), areasLevel: $('areas-level'),
    ranking: $('area-ranking'), rankingBody: $('ranking-body'),
    exportButton: $('export-ledger'), exportStatus: $('export-status'),
    map: $('map'), status: $('status'),
    detail: $('detail'), detailBody: $('detail-body'), detailClose: $('detail-close'),
  };

  const session = window.HazardSession.createSession(CONFIG.api, showSignIn);
  const { SignedOut } = window.HazardSession;

  // Drawing datum: identity for WGS-84 tiles, the national shift for GCJ-02 tiles.
  const gcj = CONFIG.crs === 'gcj02';
  function toMap(lon, lat) {
    const p = gcj ? Gcj02.wgs84ToGcj02(lon, lat) : [lon, lat];
    return L.latLng(p[1], p[0]);
  }
  function fromMap(latlng) {
    return gcj ? Gcj02.gcj02ToWgs84(latlng.lng, latlng.lat) : [latlng.lng, latlng.lat];
  }

  let map = null;
  let clusterLayer = null; // server clusters
  let pointLayer = null; // single hazards, grouped by the plugin where they overlap
  let areaLayer = null;
  let legend = null;
  const markersById = new Map();
  let loadSeq = 0;
  let loadsDone = 0;
  let inFlight = null;
  let refetchTimer = null;
  let filterTimer = null;
  let areasSeq = 0;
  let drawnClusters = []; // the last answer's clusters, laid out again when the zoom changes

  // ---------------------------------------------------------------- status line

  function setStatus(text, isError) {
    ui.status.textContent = text;
    ui.status.classList.toggle('is-error', Boolean(isError));
  }

  function reportError(error, what) {
    if (error instanceof SignedOut) {
      return;
    }
    setStatus(what + '失败 failed: ' + error.message, true);
  }

  // ---------------------------------------------------------------- sign-in

  function showSignIn(reason) {
    if (map) {
      // Nothing of the last user stays on the page for the next one.
      clearTimeout(refetchTimer);
      clearTimeout(filterTimer);
      loadSeq += 1;
      areasSeq += 1;
      drawnClusters = [];
      clusterLayer.clearLayers();
      pointLayer.clearLayers();
      markersById.clear();
      areaLayer.clearLayers();
      map.closePopup();
    }
    detail.hide();
    ranking.clear();
    ui.exportStatus.textContent = '';
    ui.app.hidden = true;
    ui.who.hidden = true;
    ui.signin.hidden = false;
    ui.signinError.hidden = !reason;
    ui.signinError.textContent = reason || '';
    $('username').focus();
  }

  ui.signinForm.addEventListener('submit', async function (event) {
    event.preventDefault();
    const username = $('username').value.trim();
    const password = $('password').value;
    if (!username || !password) {
      ui.signinError.textContent = '请输入用户名和密码。Enter your username and password.';
      ui.signinError.hidden = false;
      return;
    }
    $('signin-submit').disabled = true;
    try {
      await session.signIn(username, password);
      $('password').value = '';
      await start();
    } catch (error) {
      ui.signinError.textContent = error.status === 401 ? '用户名或密码错误。Wrong username or password.'
        : error.status === 429 ? '尝试次数过多，请稍后再试。Too many attempts; try again later.'
          : '登录失败 Sign-in failed: ' + error.message;
      ui.signinError.hidden = false;
    } finally {
      $('signin-submit').disabled = false;
    }
  });

  ui.signOut.addEventListener('click', function () {
    session.signOut('');
  });

  const ROLES = { inspector: '检查员', enterprise_officer: '企业安全员', reviewer: '审核人', admin: '管理员' };

  async function start() {
    const me = await session.json('/me');
    const home = await homeOf(me);
    ui.signin.hidden = true;
    ui.app.hidden = false;
    ui.who.hidden = false;
    ui.whoName.textContent = (me.display_name || me.username) + '（' + (ROLES[me.role] || me.role) + '）';
    // Reviewers and admins steer the district: the streets' overdue shading is what they look at first.
    ui.areasToggle.checked = me.role === 'reviewer' || me.role === 'admin';
    if (!map) {
      buildMap();
    } else {
      map.invalidateSize();
    }
    goHome(home);
    loadChoices();
    loadHazards();
    loadRanking();
    loadAreas(); // or, with the shading off for this user, takes the last user's off the map
  }

  // ---------------------------------------------------------------- filters

  const filters = window.HazardFilters.createFilters({
    form: ui.filters, statusBox: ui.statusChecks, session: session, utcOffset: CONFIG.utc_offset,
  });

  function applyFilters() {
    loadHazards();
    loadRanking();
    if (ui.areasToggle.checked) {
      loadAreas();
    }
  }

  ui.filters.addEventListener('submit', function (event) {
    event.preventDefault();
    applyFilters();
  });
  ui.filters.addEventListener('change', function () {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(applyFilters, REFETCH_DELAY_MS);
  });
  ui.filters.addEventListener('reset', function () {
    setTimeout(applyFilters, 0); // after the browser has put the defaults back
  });

  async function loadChoices() {
    (await filters.loadChoices()).forEach(function (error) { reportError(error, '读取筛选项 Loading choices '); });
  }

  // ---------------------------------------------------------------- where the map opens

  /** The bounds (in drawing coordinates) of a GeoJSON geometry, or null. */
  function boundsOf(geometry) {
    if (!geometry) {
      return null;
    }
    try {
      const bounds = L.geoJSON(geometry, { coordsToLatLng: function (c) { return toMap(c[0], c[1]); } }).getBounds();
      return bounds.isValid() ? bounds : null;
    } catch (_) {
      return null; // a boundary the page cannot draw: the next best thing
    }
  }

  function union(list) {
    const valid = list.filter(Boolean);
    if (!valid.length) {
      return null;
    }
    const bounds = L.latLngBounds(valid[0].getSouthWest(), valid[0].getNorthEast());
    valid.slice(1).forEach(function (b) { bounds.extend(b); });
    return bounds;
  }

  /** An area's extent: its boundary, or else the boundaries of the areas directly under it. */
  async function areaBounds(code) {
    const area = await session.json('/areas/' + encodeURIComponent(code));
    const own = boundsOf(area.boundary);
    if (own) {
      return own;
    }
    const children = await session.json('/areas?page_size=100&parent_code=' + encodeURIComponent(code));
    return union(children.map(function (child) { return boundsOf(child.boundary); }));
  }

  /** Where the caller's map opens: their area, their plant, or the district; null for MAP_CENTER. */
  async function homeOf(me) {
    try {
      if (me.area_code) {
        return await areaBounds(me.area_code);
      }
      if (me.enterprise_id) {
        const plant = await session.json('/enterprises/' + encodeURIComponent(me.enterprise_id));
        if (typeof plant.lat === 'number' && typeof plant.lon === 'number') {
          return toMap(plant.lon, plant.lat);
        }
        return plant.area_code ? await areaBounds(plant.area_code) : null;
      }
      const districts = await session.json('/areas?level=district&page_size=100');
      return union(await Promise.all(districts.map(function (d) { return areaBounds(d.code); })));
    } catch (error) {
      if (error instanceof SignedOut) {
        throw error;
      }
      return null; // the configured centre will do
    }
  }

  function goHome(home) {
    if (home instanceof L.LatLngBounds) {
      // Beside the legend (bottom right) when that costs no zoom level; else as large as the map allows.
      const legendWidth = legend && legend.getContainer() ? legend.getContainer().offsetWidth : 0;
      const beside = map.getBoundsZoom(home, false, L.point(legendWidth + 24, 24)) >=
        map.getBoundsZoom(home, false, L.point(24, 24));
      map.fitBounds(home, { paddingTopLeft: [12, 12], paddingBottomRight: [beside ? legendWidth + 12 : 12, 12],
        animate: false });
      ui.map.dataset.home = 'area';
    } else if (home instanceof L.LatLng) {
      map.setView(home, POINT_ZOOM, { animate: false });
      ui.map.dataset.home = 'enterprise';
    } else {
      map.setView(toMap(CONFIG.center[1], CONFIG.center[0]), CONFIG.zoom, { animate: false });
      ui.map.dataset.home = 'configured';
    }
  }

  // ---------------------------------------------------------------- the map

  function buildMap() {
    map = L.map(ui.map, {
      maxZoom: MAX_ZOOM,
      minZoom: 3,
      worldCopyJump: false,
    });
    ui.map.dataset.basemap = Layers.addBaseMap(map, CONFIG, MAX_ZOOM, function (state) {
      ui.map.dataset.basemap = state;
    });
    const css = getComputedStyle(document.documentElement);
    const colors = {};
    ['open', 'acknowledged', 'submitted', 'closed', 'void', 'overdue', 'cluster'].forEach(function (k) {
      colors[k] = css.getPropertyValue('--' + k).trim();
    });
    areaLayer = L.geoJSON(null, {
      coordsToLatLng: function (c) { return toMap(c[0], c[1]); },
      style: Layers.areaStyle,
      onEachFeature: function (feature, layer) {
        const p = feature.properties || {};
        Layers.labelArea(layer, p.name || p.code);
        layer.bindPopup(function () { return Layers.areaPopup(p, filterToArea); });
      },
    });
    // Server clusters in a pane of their own, hidden while the map zooms out (they would crowd together until
    // the new zoom's clusters arrive) and laid out again for the new zoom when it ends.
    map.createPane('hz-clusters');
    map.createPane('hz-area-labels'); // street names: see-through, over the hazards (map.css)
    clusterLayer = L.layerGroup().addTo(map);
    pointLayer = L.markerClusterGroup({
      maxClusterRadius: 24,
      spiderfyOnMaxZoom: true,
      showCoverageOnHover: false,
      iconCreateFunction: Layers.groupIcon,
    }).addTo(map);
    legend = Layers.legendControl(colors).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    map.on('moveend zoomend', scheduleLoad);
    map.on('zoomanim', function (event) {
      map.getPane('hz-clusters').classList.toggle('is-zooming-out', event.zoom < map.getZoom());
    });
    map.on('zoomend', function () {
      layOutClusters();
      map.getPane('hz-clusters').classList.remove('is-zooming-out');
      if (areaLayer) {
        Layers.fitAreaLabels(map, areaLayer);
      }
    });
    map.on('popupopen', function (event) {
      clearOfPanel(event.popup);
      const button = event.popup.getElement().querySelector('button');
      if (button) {
        button.focus({ preventScroll: true });
      }
    });
    map.on('popupclose', function (event) {
      const source = event.popup._source;
      const element = source && source.getElement && source.getElement();
      if (element && document.activeElement && event.popup.getElement().contains(document.activeElement)) {
        element.focus({ preventScroll: true });
      }
    });
  }

  function bboxParam() {
    const bounds = map.getBounds().pad(0.05);
    const sw = fromMap(bounds.getSouthWest());
    const ne = fromMap(bounds.getNorthEast());
    const clamp = function (v, lo, hi) { return Math.min(hi, Math.max(lo, v)); };
    return [clamp(sw[0], -180, 180), clamp(sw[1], -90, 90), clamp(ne[0], -180, 180), clamp(ne[1], -90, 90)]
      .map(function (v) { return v.toFixed(6); }).join(',');
  }

  function scheduleLoad() {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(loadHazards, REFETCH_DELAY_MS);
  }

  async function loadHazards() {
    clearTimeout(refetchTimer);
    const problem = filters.problem();
    if (problem) {
      setStatus(problem, true);
    }
    if (!map || !session.hasToken() || problem) {
      return;
    }
    const seq = ++loadSeq;
    if (inFlight) {
      inFlight.abort();
    }
    if (!ui.hazardsToggle.checked) {
      drawHazards({ features: [] });
      setStatus('隐患图层已关闭。Hazard layer is off.');
      return;
    }
    inFlight = new AbortController();
    const params = filters.params();
    params.set('bbox', bboxParam());
    params.set('zoom', String(map.getZoom()));
    ui.map.dataset.state = 'loading';
    setStatus('加载中… Loading…');
    try {
      const collection = await session.json('/map/hazards?' + params.toString(), { signal: inFlight.signal });
      if (seq !== loadSeq) {
        return;
      }
      drawHazards(collection);
    } catch (error) {
      if (error.name === 'AbortError' || seq !== loadSeq) {
        return;
      }
      ui.map.dataset.state = 'error';
      reportError(error, '加载隐患 Loading hazards ');
    }
  }

  function signature(p) {
    return [p.status, p.overdue, p.severity, p.deadline, p.thumbnail_url ? 1 : 0].join('|');
  }

  function drawHazards(collection) {
    const clusterList = [];
    const seen = new Set();
    const toAdd = [];
    const toRemove = [];
    let clusters = 0;
    let total = 0;
    let overdue = 0;
    let stalePopup = false;
    (collection.features || []).forEach(function (feature) {
      const p = feature.properties || {};
      if (!feature.geometry || feature.geometry.type !== 'Point') {
        return;
      }
      const latlng = toMap(feature.geometry.coordinates[0], feature.geometry.coordinates[1]);
      if (p.cluster) {
        clusters += 1;
        total += p.count || 0;
        overdue += p.overdue || 0;
        clusterList.push({ latlng: latlng, p: p });
        return;
      }
      total += 1;
      overdue += p.overdue ? 1 : 0;
      seen.add(p.id);
      // Markers that did not change stay, so an open popup survives the refetch after its auto-pan.
      const existing = markersById.get(p.id);
      if (existing && existing.options.signature === signature(p)) {
        existing.options.hazard = p; // fresh photo links (they are time-limited)
        return;
      }
      const marker = Layers.hazardMarker(latlng, p, function (layer) {
        return Layers.hazardPopup(layer.options.hazard, filters.categoryName, detail.open);
      });
      if (existing) {
        toRemove.push(existing);
        // The hazard changed under its open popup (a decision, someone else's step): the popup would show the
        // old state, so it goes; the marker's new colour says what changed.
        stalePopup = stalePopup || existing.isPopupOpen();
      }
      marker.options.signature = signature(p);
      markersById.set(p.id, marker);
      toAdd.push(marker);
    });
    markersById.forEach(function (marker, id) {
      if (!seen.has(id)) {
        toRemove.push(marker);
        markersById.delete(id);
      }
    });
    drawnClusters = clusterList;
    layOutClusters();
    if (stalePopup) {
      map.closePopup();
    }
    pointLayer.removeLayers(toRemove);
    pointLayer.addLayers(toAdd);
    if (typeof collection.total === 'number') {
      total = collection.total;
    }
    loadsDone += 1;
    ui.map.dataset.total = String(total);
    ui.map.dataset.points = String(markersById.size);
    ui.map.dataset.clusters = String(clusters);
    ui.map.dataset.loads = String(loadsDone);
    ui.map.dataset.state = 'ready';
    setStatus('此范围内 ' + total + ' 个隐患 hazards in view' + (overdue ? '，逾期 ' + overdue + ' overdue' : '') +
      (clusters ? '（' + clusters + ' 个聚合 clusters）' : ''));
  }

  /** The clusters drawn for the current zoom, each inside its grid cell's square on screen so that no two touch. */
  function layOutClusters() {
    clusterLayer.clearLayers();
    drawnClusters.forEach(function (c) {
      const cell = c.p.cell_bbox;
      let box = null;
      if (Array.isArray(cell) && cell.length === 4) {
        const nw = map.latLngToLayerPoint(toMap(cell[0], cell[3]));
        const se = map.latLngToLayerPoint(toMap(cell[2], cell[1]));
        box = { x0: nw.x, y0: nw.y, x1: se.x, y1: se.y };
      }
      const marker = Layers.clusterMarker(c.latlng, c.p, map.latLngToLayerPoint(c.latlng), box,
        function () { zoomInto(c.latlng, cell); });
      if (marker) {
        clusterLayer.addLayer(marker);
      }
    });
    ui.map.dataset.clustersDrawn = String(clusterLayer.getLayers().length);
  }

  /** Activating a server cluster: show its grid cell (it then splits into smaller clusters or points). */
  function zoomInto(latlng, cell) {
    if (Array.isArray(cell) && cell.length === 4) {
      const bounds = L.latLngBounds(toMap(cell[0], cell[1]), toMap(cell[2], cell[3]));
      const zoom = Math.min(Math.max(map.getBoundsZoom(bounds), map.getZoom() + 1), MAX_ZOOM);
      map.setView(latlng, zoom);
    } else {
      map.setView(latlng, Math.min(map.getZoom() + 2, MAX_ZOOM));
    }
  }

  // ---------------------------------------------------------------- hazard detail panel

  /**
   * A popup never stays under the detail panel: while the panel is open, Leaflet's auto-pan keeps the popup clear
   * of the panel's width on the right (and pans now if it is under it).
   */
  function clearOfPanel(popup) {
    if (!popup || !popup.isOpen()) {
      return;
    }
    const panelOpen = !ui.detail.hidden;
    popup.options.autoPanPaddingBottomRight = panelOpen ? [ui.detail.offsetWidth + PANEL_GAP_PX, PANEL_GAP_PX] : null;
    if (!panelOpen) {
      return;
    }
    const box = popup.getElement().getBoundingClientRect();
    const panel = ui.detail.getBoundingClientRect();
    if (box.right > panel.left - PANEL_GAP_PX && box.left < panel.right) {
      popup._adjustPan(); // Leaflet's own pan, now with the panel's width as padding
    }
  }

  const detail = window.HazardDetail.createDetail({
    panel: ui.detail, body: ui.detailBody, closeButton: ui.detailClose, session: session,
    onOpen: function () {
      if (map) {
        map.eachLayer(function (layer) {
          if (layer instanceof L.Popup) {
            clearOfPanel(layer);
          }
        });
      }
    },
    timezone: CONFIG.timezone, categoryName: function (code) { return filters.categoryName(code); },
    onClose: function () { ui.map.focus({ preventScroll: true }); },
    // A decision changes the hazard's colour on the map and the counts of its area.
    onChanged: function () { applyFilters(); },
  });

  // ---------------------------------------------------------------- ranking and ledger

  const ranking = window.HazardRanking.createRanking({
    section: ui.ranking, body: ui.rankingBody, session: session, params: filters.statsParams,
    level: function () { return ui.areasLevel.value; },
  });

  function loadRanking() {
    if (!session.hasToken() || filters.problem()) {
      return;
    }
    ranking.load().catch(function (error) { reportError(error, '加载排名 Loading the ranking '); });
  }

  ui.exportButton.addEventListener('click', async function () {
    const problem = filters.problem();
    if (problem) {
      ui.exportStatus.textContent = problem;
      return;
    }
    ui.exportButton.disabled = true;
    ui.exportStatus.textContent = '正在导出… Exporting…';
    try {
      const saved = await window.HazardLedger.exportLedger(session, filters.params());
      ui.exportStatus.textContent = '已导出 Exported: ' + saved;
    } catch (error) {
      ui.exportStatus.textContent = error instanceof SignedOut ? '' : '导出失败 Export failed: ' + error.message;
    } finally {
      ui.exportButton.disabled = false;
    }
  });

  // ---------------------------------------------------------------- area choropleth

  ui.hazardsToggle.addEventListener('change', loadHazards);
  ui.areasToggle.addEventListener('change', loadAreas);
  ui.areasLevel.addEventListener('change', function () {
    loadRanking();
    if (ui.areasToggle.checked) {
      loadAreas();
    }
  });

  async function loadAreas() {
    if (!map) {
      return;
    }
    const seq = ++areasSeq;
    if (!ui.areasToggle.checked) {
      map.removeLayer(areaLayer);
      legend.showAreas(false);
      ui.map.dataset.areas = 'off';
      return;
    }
    ui.map.dataset.areas = 'loading';
    try {
      const collection = await session.json('/map/areas?' + filters.areaParams(ui.areasLevel.value).toString());
      if (seq !== areasSeq || !ui.areasToggle.checked) {
        return;
      }
      areaLayer.clearLayers();
      areaLayer.addData(collection);
      areaLayer.addTo(map);
      areaLayer.bringToBack();
      Layers.fitAreaLabels(map, areaLayer);
      legend.showAreas(true);
      ui.map.dataset.areas = String((collection.features || []).length);
    } catch (error) {
      ui.map.dataset.areas = 'error';
      reportError(error, '加载区域 Loading areas ');
    }
  }

  function filterToArea(p) {
    filters.selectArea(p.code, p.name);
    map.closePopup();
    loadHazards();
  }

  // ---------------------------------------------------------------- start

  if (session.hasToken()) {
    start().catch(function (error) {
      if (!(error instanceof SignedOut)) {
        showSignIn('无法连接服务 Cannot reach the service: ' + error.message);
      }
    });
  } else {
    showSignIn('');
  }
  // For checking by hand in the browser console (and by the browser test).
  window.hazardMap = {
    get map() { return map; },
    toMap: toMap,
    fromMap: fromMap,
    reload: loadHazards,
  };
})();
