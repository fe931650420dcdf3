/*
 * The areas ranked by on-time rectification rate (按期整改率), from the statistics: GET /stats?group_by=area
 * &level=…&sort=-on_time_rate with the page's filters. The rate is closed on time ÷ due (closed, or open past the
 * original deadline), so an area that leaves hazards overdue ranks low; one with nothing due yet has no rate and
 * comes last.
 */
(function (root) {
  'use strict';

  const Layers = root.HazardLayers;
  const el = Layers.el;

  /**
   * options: section (shown once there are rows), body (the table's <tbody>), session, params (a function
   * returning the filters as URLSearchParams), level (a function returning the area level).
   */
  function createRanking(options) {
    const section = options.section;
    let seq = 0;
    let loads = 0;

    function row(p, place) {
      const tr = el('tr');
      const name = el('td', null, place + '. ' + (p.name || p.code));
      name.title = (p.name || p.code) + '：隐患 ' + p.total + ' total，应整改 ' + p.due + ' due，按期 ' +
        p.closed_on_time + ' on time，已销号 ' + p.closed + ' closed';
      tr.appendChild(name);
      const onTime = el('td', 'num', Layers.percent(p.on_time_rate));
      onTime.title = p.closed_on_time + ' / ' + p.due; // the rate's own numbers: 按期 ÷ 应整改
      tr.appendChild(onTime);
      tr.appendChild(el('td', 'num', Layers.percent(p.rectification_rate)));
      tr.appendChild(el('td', 'num' + (p.open_overdue ? ' is-overdue' : ''), String(p.open_overdue)));
      tr.dataset.code = p.code;
      return tr;
    }

    /** Ask for the ranking again; resolves once drawn (or refused: the section is then hidden). */
    async function load() {
      const ticket = ++seq;
      const params = options.params();
      params.set('group_by', 'area');
      params.set('level', options.level());
      params.set('sort', '-on_time_rate');
      section.dataset.state = 'loading';
      try {
        const stats = await options.session.json('/stats?' + params.toString());
        if (ticket !== seq) {
          return;
        }
        options.body.textContent = '';
        stats.rows.forEach(function (p, index) { options.body.appendChild(row(p, index + 1)); });
        section.hidden = stats.rows.length === 0;
        section.dataset.state = 'ready';
        loads += 1;
        section.dataset.loads = String(loads);
      } catch (error) {
        if (ticket !== seq) {
          return;
        }
        section.dataset.state = 'error';
        section.hidden = true;
        if (error.status !== 403) { // enterprise officers are not shown the statistics: no ranking, no error
          throw error;
        }
      }
    }

    function clear() {
      seq += 1;
      options.body.textContent = '';
      section.hidden = true;
    }

    return { load: load, clear: clear };
  }

  root.HazardRanking = Object.freeze({ createRanking: createRanking });
})(window);
