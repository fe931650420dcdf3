/*
 * The hazard detail panel: GET /hazards/{id} and its audit trail, shown beside the map; for a major hazard its
 * remediation plan (治理方案), for a submitted one the checks of its rectification photos, and for whoever may
 * re-inspect it (the workflow's `actions`) approve / reject with a comment (POST /hazards/{id}/review).
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

  // The remediation plan's parts, as the 治理方案 names them.
  const PLAN = [
    ['objectives', '目标和任务 Objectives'], ['measures', '方法和措施 Measures'], ['funds', '经费和物资 Funds'],
    ['responsible', '机构和人员 Responsible'], ['timeline', '时限和要求 Timeline'],
    ['safety_measures', '安全措施和应急预案 Safety measures'],
  ];
  // What the closure checks can find wrong with a rectification photo (inspections/closure_checks.py).
  const PROBLEMS = {
    exact_reuse: '重复使用的照片 re-used photo', near_duplicate: '与已有照片几乎相同 near duplicate',
    outside_radius: '不在隐患现场 too far away', location_unverified: '无位置信息 no location',
    taken_before_report: '早于上报拍摄 taken before the report', time_unverified: '无拍摄时间 no capture time',
  };
  const DECISIONS = {
    approve: { label: '复查通过（销号）Approve', done: '复查通过，隐患已销号。Approved: the hazard is closed.' },
    reject: { label: '驳回 Reject', done: '已驳回，退回企业整改。Rejected: back to the enterprise.' },
  };

  /**
   * options: panel, body, closeButton (elements), session, timezone (the district's, for times),
   * categoryName (code → label), onOpen (the panel was shown), onClose (where focus goes back to), onChanged (a
   * decision changed a hazard).
   */
  function createDetail(options) {
    const panel = options.panel;
    const body = options.body;
    let shown = 0;
    let notice = '';

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

    /** Show hazard ``id``; ``refresh``: it is already shown, keep it in view until the new answer is in. */
    async function open(id, refresh) {
      const ticket = ++shown;
      panel.hidden = false;
      if (options.onOpen) {
        options.onOpen(); // e.g. the map moves the popup out from under the panel
      }
      panel.dataset.state = 'loading';
      if (!refresh) {
        body.textContent = '加载中… Loading…';
        panel.focus();
      }
      const path = '/hazards/' + encodeURIComponent(id);
      try {
        const results = await Promise.all([
          options.session.json(path),
          options.session.json(path + '/events').catch(function () { return []; }),
        ]);
        if (ticket === shown) {
          render(results[0], results[1]);
          panel.dataset.hazardId = results[0].id;
          panel.dataset.status = results[0].status;
          panel.dataset.state = 'ready';
          if (refresh) {
            panel.scrollTop = 0; // to the notice of what just happened, and the new state
            panel.focus({ preventScroll: true });
          }
        }
      } catch (error) {
        if (ticket === shown) {
          body.textContent = '';
          body.appendChild(el('p', 'error', error.status === 404 ? '找不到此隐患。Hazard not found.'
            : '加载失败 failed: ' + error.message));
          panel.dataset.state = 'error';
        }
      }
    }

    function render(h, events) {
      body.textContent = '';
      if (notice) {
        const said = el('p', 'notice', notice);
        said.setAttribute('role', 'status');
        body.appendChild(said);
        notice = '';
      }
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
      // What the re-inspector decides on comes first: the checks of the submission, the plan, the photos.
      const rectifications = Array.isArray(h.rectifications) ? h.rectifications : [];
      if (rectifications.length) {
        body.appendChild(rectificationSection(rectifications[rectifications.length - 1], h.closure_checks || {}));
      }
      if (h.severity === 'major') {
        body.appendChild(planSection(h.plan));
      }
      body.appendChild(photoStrip(h.photos || [], h.photos_total));
      const actions = Array.isArray(h.actions) ? h.actions : [];
      const decisions = h.status === 'submitted' ? ['approve', 'reject'].filter(function (a) {
        return actions.indexOf(a) >= 0;
      }) : [];
      if (decisions.length) {
        body.appendChild(reviewForm(h, decisions));
      }
      body.appendChild(history(Array.isArray(events) ? events : []));
    }

    function planSection(plan) {
      const section = el('section', 'plan');
      section.appendChild(el('h3', null, '治理方案 Remediation plan'));
      if (!plan) {
        section.appendChild(el('p', 'hint', '企业尚未提交治理方案。No plan recorded yet.'));
        return section;
      }
      const parts = Layers.definitionList(PLAN.map(function (part) {
        return [part[1], plan[part[0]] || '—'];
      }).concat([['更新时间 Updated', localTime(plan.updated_at)]]));
      parts.className = 'stacked';
      section.appendChild(parts);
      return section;
    }

    function tag(ok, text) {
      return el('span', 'tag ' + (ok === true ? 'tag-ok' : ok === false ? 'tag-bad' : 'tag-unknown'), text);
    }

    /** The latest submission: what was done, and what the service found about its photos. */
    function rectificationSection(r, checks) {
      const section = el('section', 'checks-box');
      section.appendChild(el('h3', null, '整改核验 Rectification checks'));
      const warnings = checks.warnings || [];
      const blocking = checks.blocking || [];
      const verdict = el('p', 'verdict');
      if (checks.clean) {
        verdict.appendChild(tag(true, '核验通过 all checks passed'));
      } else {
        blocking.forEach(function (p) { verdict.appendChild(tag(false, PROBLEMS[p] || p)); });
        warnings.forEach(function (p) { verdict.appendChild(tag(null, '⚠ ' + (PROBLEMS[p] || p))); });
      }
      section.appendChild(verdict);
      section.appendChild(Layers.definitionList([
        ['整改措施 Measures', r.measures || '—'],
        ['提交时间 Submitted', localTime(r.submitted_at)],
      ]));
      const list = el('ol', 'photo-checks');
      (checks.photos || []).forEach(function (c) {
        const item = el('li');
        const distance = typeof c.distance_m === 'number'
          ? '距隐患 ' + c.distance_m.toFixed(1) + ' m（限 ' + Math.round(c.radius_m) + ' m）' : '无位置 no location';
        item.appendChild(tag(c.within_radius, c.within_radius === false ? '超出范围 ' + distance
          : c.within_radius ? '现场 ' + distance : distance));
        item.appendChild(tag(c.taken_after_report, c.taken_after_report === true ? '上报后拍摄 after report'
          : c.taken_after_report === false ? '早于上报 before report' : '无拍摄时间 no time'));
        item.appendChild(tag(!c.same_as_evidence, c.same_as_evidence ? '与隐患照片相同 same as evidence'
          : '非原照片 not the evidence'));
        list.appendChild(item);
      });
      section.appendChild(list);
      return section;
    }

    /** Approve / reject with a comment; the API's refusal (409, 422) is shown as it gave it. */
    function reviewForm(h, decisions) {
      const form = el('form', 'review');
      form.noValidate = true;
      form.appendChild(el('h3', null, '复查 Re-inspection'));
      const label = el('label', null, '复查意见 Comment');
      label.htmlFor = 'review-comment';
      const comment = el('textarea');
      comment.id = 'review-comment';
      comment.rows = 3;
      comment.maxLength = 4000;
      form.appendChild(label);
      form.appendChild(comment);
      form.appendChild(el('p', 'hint', '驳回须写明理由；核验有警示时通过也须说明。' +
        'A rejection needs the reason; so does approving despite warnings.'));
      const problem = el('p', 'error');
      problem.id = 'review-error';
      problem.setAttribute('role', 'alert');
      problem.hidden = true;
      form.appendChild(problem);
      const buttons = el('div', 'buttons');
      decisions.forEach(function (decision) {
        const button = el('button', decision === 'reject' ? 'secondary' : null, DECISIONS[decision].label);
        button.type = 'submit';
        button.value = decision;
        buttons.appendChild(button);
      });
      form.appendChild(buttons);
      form.addEventListener('submit', async function (event) {
        event.preventDefault();
        const decision = (event.submitter && event.submitter.value) || decisions[0];
        const ticket = shown;
        Array.from(form.querySelectorAll('button, textarea')).forEach(function (c) { c.disabled = true; });
        problem.hidden = true;
        try {
          await options.session.json('/hazards/' + encodeURIComponent(h.id) + '/review', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ decision: decision, comment: comment.value.trim() || null }),
          });
        } catch (error) {
          Array.from(form.querySelectorAll('button, textarea')).forEach(function (c) { c.disabled = false; });
          if (error instanceof root.HazardSession.SignedOut) {
            return;
          }
          problem.textContent = (error.status === 409 ? '无法操作 Not possible: '
            : error.status === 422 ? '请补充 Needs more: ' : '复查失败 failed: ') +
            (error.explain ? error.explain() : error.message);
          problem.hidden = false;
          comment.focus();
          if (error.status === 409) {
            options.onChanged(h.id); // someone else moved it on: the map shows where it is now
          }
          return;
        }
        options.onChanged(h.id, decision);
        if (ticket === shown) { // unless the panel has moved on to another hazard meanwhile
          notice = DECISIONS[decision].done;
          open(h.id, true);
        }
      });
      return form;
    }

    /** The detail carries a hazard's first photos; `total` says how many it has (the rest: GET …/photos). */
    function photoStrip(photos, total) {
      const section = el('section');
      const count = typeof total === 'number' && total > photos.length
        ? photos.length + ' / ' + total : String(photos.length);
      section.appendChild(el('h3', null, '照片 Photos（' + count + '）'));
      const strip = el('div', 'photos');
      photos.forEach(function (photo) {
        const link = el('a');
        link.href = photo.display_url || photo.url;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        const img = el('img');
        img.src = photo.thumbnail_url;
        if (photo.truncated) {
          img.title = '照片末尾缺失少许 The end of this photo is missing';
        }
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
