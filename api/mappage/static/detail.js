/*
 * The hazard detail panel: GET /hazards/{id} and its audit trail, shown beside the map.
 */
(function (root) {
  'use strict';

  const Layers = root.HazardLayers;
  const el = Layers.el;

  const EVENTS = {
    reported: '上报 reported', acknowledge: '签收 acknowledged', submit: '提交整改 submitted',
    approve: '复查通过 approved', reject: '复查驳回 rejected', rectified_on_spot: '当场整改 rectified on the spot',
    void: '作废 voided', photo_added: '添加照片 photo added', extension_requested: '申请延期 extension asked',
    extension_approved: '同意延期 extension approved', extension_refused: '不同意延期 extension refused',
    plan_recorded: '治理方案 plan recorded', plan_revised: '修改治理方案 plan revised',
    overdue: '已逾期 overdue', due_soon: '即将到期 due soon',
  };

  /**
   * options: panel, body, closeButton (elements), session, timezone (the district's, for times),
   * categoryName (code → label), onClose (where focus goes back to).
   */
  function createDetail(options) {
    const panel = options.panel;
    const body = options.body;
    let shown = 0;

    function localTime(iso) {
      if (!iso) {
        return '—';
      }
      try {
        return new Date(iso).toLocaleString('zh-CN', { timeZone: options.timezone, hour12: false });
      } catch (_) {
        return iso;
      }
    }

    async function open(id) {
      const ticket = ++shown;
      panel.hidden = false;
      body.textContent = '加载中… Loading…';
      panel.focus();
      const path = '/hazards/' + encodeURIComponent(id);
      try {
        const results = await Promise.all([
          options.session.json(path),
          options.session.json(path + '/events').catch(function () { return []; }),
        ]);
        if (ticket === shown) {
          render(results[0], results[1]);
        }
      } catch (error) {
        if (ticket === shown) {
          body.textContent = '';
          body.appendChild(el('p', 'error', error.status === 404 ? '找不到此隐患。Hazard not found.'
            : '加载失败 failed: ' + error.message));
        }
      }
    }

    function render(h, events) {
      body.textContent = '';
      body.appendChild(el('p', null, h.description));
      const deadline = [h.deadline || '—'];
      if (h.original_deadline && h.original_deadline !== h.deadline) {
        deadline.push('（原 was ' + h.original_deadline + '）');
      }
      if (h.overdue) {
        deadline.push(' ', el('span', 'tag tag-overdue', '已逾期 overdue'));
      }
      const located = typeof h.lat === 'number' && typeof h.lon === 'number';
      body.appendChild(Layers.definitionList([
        ['类别 Category', options.categoryName(h.category)],
        ['等级 Severity', Layers.severityLabel(h.severity)],
        ['状态 Status', Layers.statusLabel(h.status)],
        ['整改期限 Deadline', deadline],
        ['企业 Enterprise', h.enterprise_name || '—'],
        ['上报时间 Reported', localTime(h.reported_at)],
        ['判定依据 Basis', h.basis || '—'],
        ['位置 Location', located ? h.lat.toFixed(6) + ', ' + h.lon.toFixed(6) : '—'],
        ['编号 ID', h.id],
      ]));
      body.appendChild(photoStrip(h.photos || []));
      body.appendChild(history(Array.isArray(events) ? events : []));
    }

    function photoStrip(photos) {
      const section = el('section');
      section.appendChild(el('h3', null, '照片 Photos（' + photos.length + '）'));
      const strip = el('div', 'photos');
      photos.forEach(function (photo) {
        const link = el('a');
        link.href = photo.display_url || photo.url;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        const img = el('img');
        img.src = photo.thumbnail_url;
        img.alt = (photo.kind === 'rectification' ? '整改照片 rectification' : '隐患照片 evidence') +
          (photo.taken_at ? ' ' + localTime(photo.taken_at) : '');
        link.appendChild(img);
        strip.appendChild(link);
      });
      section.appendChild(strip);
      return section;
    }

    function history(events) {
      const section = el('section');
      section.appendChild(el('h3', null, '处理记录 History'));
      const list = el('ol', 'events');
      events.forEach(function (e) {
        const item = el('li');
        item.appendChild(el('time', null, localTime(e.at)));
        let text = (EVENTS[e.action] || e.action) + ' · ' + (e.actor_name || '');
        if (e.to_status && e.to_status !== e.from_status) {
          text += ' → ' + Layers.statusLabel(e.to_status).split(' ')[0];
        }
        item.appendChild(document.createTextNode(text));
        if (e.comment) {
          item.appendChild(el('div', null, '“' + e.comment + '”'));
        }
        list.appendChild(item);
      });
      section.appendChild(list);
      return section;
    }

    function close() {
      shown += 1;
      panel.hidden = true;
      options.onClose();
    }

    options.closeButton.addEventListener('click', close);
    panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') {
        close();
      }
    });

    return {
      open: open,
      hide: function () { shown += 1; panel.hidden = true; },
    };
  }

  root.HazardDetail = Object.freeze({ createDetail: createDetail });
})(window);
