/*
 * What the map draws: hazard markers, server clusters, groups of co-located hazards, the area
 * choropleth and the legend. Text from the server (enterprise names, area names) only ever goes in
 * through textContent, never as HTML.
 */
(function (root) {
  'use strict';

  const L = root.L;

  const STATUSES = [
    { code: 'open', zh: '待签收', en: 'open' },
    { code: 'acknowledged', zh: '整改中', en: 'acknowledged' },
    { code: 'submitted', zh: '待复查', en: 'submitted' },
    { code: 'closed', zh: '已销号', en: 'closed' },
    { code: 'void', zh: '已作废', en: 'void' },
  ];
  const SEVERITIES = { general: '一般隐患', major: '重大隐患' };

  // Overdue rate (overdue ÷ hazards in the area) in classes, light to dark.
  const RATE_CLASSES = [
    { below: 0.05, color: '#fee5d9', label: '< 5%' },
    { below: 0.10, color: '#fcae91', label: '5–10%' },
    { below: 0.20, color: '#fb6a4a', label: '10–20%' },
    { below: 0.40, color: '#de2d26', label: '20–40%' },
    { below: Infinity, color: '#a50f15', label: '≥ 40%' },
  ];
  const NO_HAZARDS_COLOR = '#d9d9d9';

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function statusLabel(code) {
    const status = STATUSES.find(function (s) { return s.code === code; });
    return status ? status.zh + ' ' + status.en : String(code);
  }

  function severityLabel(code) {
    return SEVERITIES[code] || String(code);
  }

  function formatCount(n) {
    if (n >= 10000) {
      return (n / 10000).toFixed(n >= 100000 ? 0 : 1) + '万';
    }
    return String(n);
  }

  function percent(rate) {
    return rate === null || rate === undefined || Number.isNaN(rate) ? '—' : (rate * 100).toFixed(1) + '%';
  }

  // Leaflet makes markers focusable but turns Enter into a click only for popups; these act like buttons.
  function onActivateKey(layer, action) {
    layer.on('keypress', function (event) {
      const key = event.originalEvent && event.originalEvent.keyCode;
      if (key === 13 || key === 32) {
        L.DomEvent.preventDefault(event.originalEvent);
        action(event);
      }
    });
  }

  function hazardTitle(p) {
    return [statusLabel(p.status).split(' ')[0], severityLabel(p.severity), p.enterprise_name || '',
      p.overdue ? '已逾期 overdue' : ''].filter(Boolean).join(' · ');
  }

  /** One hazard: a dot in its status colour, red with "!" when overdue, larger when major. */
  function hazardMarker(latlng, p, popup) {
    const major = p.severity === 'major';
    const size = major ? 22 : 18;
    const dot = el('div', 'hz-dot', p.overdue ? '!' : '');
    dot.dataset.hazardId = p.id;
    const classes = ['hz-icon', 'hz-marker', 'hz-' + p.status];
    if (p.overdue) {
      classes.push('hz-overdue');
    }
    if (major) {
      classes.push('hz-major');
    }
    const marker = L.marker(latlng, {
      icon: L.divIcon({ html: dot, className: classes.join(' '), iconSize: [size, size] }),
      title: hazardTitle(p),
      riseOnHover: true,
      hazard: p,
    });
    marker.bindPopup(popup, { maxWidth: 300, minWidth: 200, autoPanPadding: [30, 30] });
    return marker;
  }

  // A cluster's disc, with its overdue badge standing out BADGE_PX up and right, is kept inside its grid cell's
  // square (64 px at the cell's zoom) with CELL_GAP_PX to spare: cells do not overlap, so neither do clusters.
  const BADGE_PX = 6;
  const CELL_GAP_PX = 2; // the disc's 1 px outline included
  const MIN_DISC_PX = 18; // below this (old clusters on a zoomed-out map) none is drawn until the new answer

  /**
   * Where and how large a cluster is drawn: ``point`` its mean position and ``cell`` its grid cell's square
   * ({x0, y0, x1, y1}), both in the map's layer pixels. Returns {disc, size, anchor} or null when the cell is too
   * small on screen to hold a legible disc. The disc grows with the count (24 px for one hazard, 48 for a
   * thousand) up to what the cell holds, and is centred on the mean position unless that would take it over the
   * cell's edge, where it is moved in just enough.
   */
  function clusterLayout(count, point, cell) {
    const wanted = Math.round(24 + 8 * Math.log10(Math.max(count, 1)));
    const room = cell ? Math.floor(Math.min(cell.x1 - cell.x0, cell.y1 - cell.y0)) - 2 * CELL_GAP_PX - BADGE_PX
      : wanted;
    const disc = Math.min(wanted, room);
    if (disc < MIN_DISC_PX) {
      return null;
    }
    const size = disc + BADGE_PX;
    const at = L.point(Math.round(point.x), Math.round(point.y));
    let left = at.x - Math.round(disc / 2);
    let top = at.y - Math.round(disc / 2) - BADGE_PX;
    if (cell) {
      left = Math.min(Math.max(left, Math.ceil(cell.x0) + CELL_GAP_PX), Math.floor(cell.x1) - CELL_GAP_PX - size);
      top = Math.min(Math.max(top, Math.ceil(cell.y0) + CELL_GAP_PX), Math.floor(cell.y1) - CELL_GAP_PX - size);
    }
    return { disc: disc, size: size, anchor: L.point(at.x - left, at.y - top) };
  }

  /** A server cluster: a disc sized by its count inside its cell, red when any of its hazards are overdue. */
  function clusterMarker(latlng, p, point, cell, onActivate) {
    const count = p.count || 0;
    const overdue = p.overdue || 0;
    const layout = clusterLayout(count, point, cell);
    if (!layout) {
      return null;
    }
    const disc = el('div', 'hz-cluster' + (overdue > 0 ? ' hz-cluster--overdue' : '') +
      (layout.disc < 32 ? ' hz-cluster--small' : ''), formatCount(count));
    disc.style.width = layout.disc + 'px'; // CSSOM properties, allowed by the page's style-src 'self'
    disc.style.height = layout.disc + 'px';
    if (overdue > 0) {
      disc.appendChild(el('span', 'hz-badge', formatCount(overdue)));
    }
    const parts = Object.keys(p.by_status || {}).filter(function (k) { return p.by_status[k] > 0; })
      .map(function (k) { return statusLabel(k).split(' ')[0] + ' ' + p.by_status[k]; });
    const title = count + ' 个隐患 hazards' + (overdue ? '，逾期 ' + overdue + ' overdue' : '') +
      (parts.length ? '（' + parts.join('，') + '）' : '') + ' — 点击放大 zoom in';
    const marker = L.marker(latlng, {
      icon: L.divIcon({ html: disc, className: 'hz-cluster-icon', iconSize: [layout.size, layout.size],
        iconAnchor: layout.anchor }),
      title: title,
      riseOnHover: true,
      pane: 'hz-clusters',
      cluster: p,
    });
    marker.on('click', onActivate);
    onActivateKey(marker, onActivate);
    return marker;
  }

  /** Icon for hazards at (nearly) the same spot, grouped by the marker-cluster plugin. */
  function groupIcon(group) {
    if (!group.hzKeys) {
      group.hzKeys = true;
      onActivateKey(group, function () {
        const bounds = group.getBounds();
        if (group._map && (group._map.getZoom() >= group._map.getMaxZoom() || bounds.getNorthEast().equals(bounds.getSouthWest()))) {
          group.spiderfy();
        } else {
          group.zoomToBounds({ padding: [20, 20] });
        }
      });
    }
    const markers = group.getAllChildMarkers();
    const overdue = markers.filter(function (m) { return m.options.hazard && m.options.hazard.overdue; }).length;
    const inner = el('div');
    inner.appendChild(el('span', null, String(markers.length)));
    return L.divIcon({
      html: inner,
      className: 'marker-cluster hz-group' + (overdue ? ' hz-group--overdue' : ''),
      iconSize: L.point(36, 36),
    });
  }

  function rateClass(rate) {
    return RATE_CLASSES.find(function (c) { return rate < c.below; });
  }

  function areaStyle(feature) {
    const p = feature.properties || {};
    const empty = !p.total || p.overdue_rate === null || p.overdue_rate === undefined;
    return {
      color: '#4a4a4a', weight: 1.5, opacity: 0.9, fillOpacity: 0.55,
      fillColor: empty ? NO_HAZARDS_COLOR : rateClass(p.overdue_rate).color,
    };
  }

  /** An area's name, always shown at the polygon's centre (in a pane of its own that lets clicks through). */
  function labelArea(layer, name) {
    layer.bindTooltip(name, {
      permanent: true, direction: 'center', className: 'area-label', interactive: false, opacity: 1,
      pane: 'hz-area-labels',
    });
  }

  /** Hide the names of areas too small on screen to hold them (zoomed out, or at community and grid level). */
  function fitAreaLabels(map, areaLayer) {
    areaLayer.eachLayer(function (layer) {
      const tooltip = layer.getTooltip && layer.getTooltip();
      const label = tooltip && tooltip.getElement();
      if (!label || !layer.getBounds) {
        return;
      }
      const bounds = layer.getBounds();
      const nw = map.latLngToContainerPoint(bounds.getNorthWest());
      const se = map.latLngToContainerPoint(bounds.getSouthEast());
      label.classList.toggle('is-crowded', label.offsetWidth > (se.x - nw.x) * 0.9 || label.offsetHeight > se.y - nw.y);
    });
  }

  function definitionList(rows) {
    const dl = el('dl');
    rows.forEach(function (row) {
      dl.appendChild(el('dt', null, row[0]));
      const dd = el('dd');
      (Array.isArray(row[1]) ? row[1] : [row[1]]).forEach(function (part) {
        dd.appendChild(typeof part === 'string' ? document.createTextNode(part) : part);
      });
      dl.appendChild(dd);
    });
    return dl;
  }

  /** A hazard's popup: photo, category, status, deadline, enterprise, and the way to its details. */
  function hazardPopup(p, categoryName, onDetails) {
    const box = el('div', 'hz-popup');
    if (p.thumbnail_url) {
      const img = el('img');
      img.src = p.thumbnail_url;
      img.alt = '隐患照片 Hazard photo';
      img.loading = 'lazy';
      box.appendChild(img);
    }
    const title = el('h3', null, categoryName(p.category) + ' ');
    if (p.severity === 'major') {
      title.appendChild(el('span', 'tag tag-major', '重大 major'));
    }
    box.appendChild(title);
    const deadline = [p.deadline || '—'];
    if (p.overdue) {
      deadline.push(' ', el('span', 'tag tag-overdue', '已逾期 overdue'));
    }
    box.appendChild(definitionList([
      ['状态 Status', statusLabel(p.status)],
      ['整改期限 Deadline', deadline],
      ['企业 Enterprise', p.enterprise_name || '—'],
    ]));
    const more = el('button', null, '查看详情 Details');
    more.type = 'button';
    more.addEventListener('click', function () { onDetails(p.id); });
    box.appendChild(more);
    box.dataset.hazardId = p.id;
    return box;
  }

  /**
   * The base map: one tile layer per configured URL template, bottom to top. A tile that cannot be had
   * is hidden, leaving the plain ground, and the points and areas draw regardless. ``onState`` hears
   * "ok" once a tile arrives, "unavailable" when none has and several failed. Returns the first state.
   */
  function addBaseMap(map, config, maxZoom, onState) {
    let loaded = 0;
    let failed = 0;
    config.tiles.forEach(function (url, index) {
      L.tileLayer(url, {
        subdomains: config.subdomains,
        maxZoom: maxZoom,
        attribution: index === 0 ? config.attribution : '',
      }).on('tileload', function () {
        loaded += 1;
        onState('ok');
      }).on('tileerror', function (event) {
        event.tile.classList.add('tile-missing');
        failed += 1;
        if (!loaded && failed === 4) {
          map.attributionControl.addAttribution('底图不可用 base map unavailable');
          onState('unavailable');
        }
      }).addTo(map);
    });
    if (!config.tiles.length) {
      map.attributionControl.addAttribution('无底图 no base map');
      return 'none';
    }
    return 'loading';
  }

  function areaPopup(p, onFilter) {
    const box = el('div', 'hz-popup');
    box.appendChild(el('h3', null, p.name || p.code));
    box.appendChild(definitionList([
      ['隐患 Total', String(p.total || 0)],
      ['未销号 Open', String(p.open || 0)],
      ['逾期 Overdue', String(p.overdue || 0)],
      ['已销号 Closed', String(p.closed || 0)],
      ['整改率 Rectified', percent(p.rectification_rate)],
      ['逾期率 Overdue rate', percent(p.overdue_rate)],
    ]));
    const button = el('button', null, '只看此区域 Filter to this area');
    button.type = 'button';
    button.addEventListener('click', function () { onFilter(p); });
    box.appendChild(button);
    return box;
  }

  function swatch(color, round) {
    const node = el('span', round ? 'swatch' : 'box');
    node.style.background = color; // a CSSOM property, allowed by the page's style-src 'self'
    return node;
  }

  function legendItem(color, text, round) {
    const item = el('li');
    item.appendChild(swatch(color, round));
    item.appendChild(document.createTextNode(text));
    return item;
  }

  /** The legend: status colours always, the choropleth classes while the area layer is on. */
  function legendControl(statusColors) {
    const control = L.control({ position: 'bottomright' });
    let areasPart = null;
    control.onAdd = function () {
      const box = el('div', 'legend');
      box.setAttribute('aria-label', '图例 Legend');
      box.appendChild(el('h3', null, '隐患状态 Status'));
      const list = el('ul');
      STATUSES.forEach(function (s) { list.appendChild(legendItem(statusColors[s.code], s.zh + ' ' + s.en, true)); });
      list.appendChild(legendItem(statusColors.overdue, '逾期 overdue (!)', true));
      list.appendChild(legendItem(statusColors.cluster, '聚合 cluster（数字为数量 count）', true));
      list.appendChild(legendItem(statusColors.overdue, '含逾期的聚合 cluster with overdue', true));
      box.appendChild(list);
      areasPart = el('div', 'legend-areas');
      areasPart.hidden = true;
      areasPart.appendChild(el('h3', null, '逾期率 Overdue rate'));
      const rates = el('ul');
      RATE_CLASSES.forEach(function (c) { rates.appendChild(legendItem(c.color, c.label)); });
      rates.appendChild(legendItem(NO_HAZARDS_COLOR, '无隐患 none'));
      areasPart.appendChild(rates);
      box.appendChild(areasPart);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.showAreas = function (visible) {
      if (areasPart) {
        areasPart.hidden = !visible;
      }
    };
    return control;
  }

  root.HazardLayers = Object.freeze({
    STATUSES: STATUSES,
    el: el,
    statusLabel: statusLabel,
    severityLabel: severityLabel,
    percent: percent,
    definitionList: definitionList,
    hazardMarker: hazardMarker,
    hazardPopup: hazardPopup,
    addBaseMap: addBaseMap,
    clusterMarker: clusterMarker,
    clusterLayout: clusterLayout,
    labelArea: labelArea,
    fitAreaLabels: fitAreaLabels,
    groupIcon: groupIcon,
    areaStyle: areaStyle,
    areaPopup: areaPopup,
    legendControl: legendControl,
  });
})(window);
