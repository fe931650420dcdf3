/*
 * The filter form: the same filters as GET /hazards (status, severity, category, overdue, report dates,
 * area), its choices filled from /categories and /areas, and turned into query parameters.
 */
(function (root) {
  'use strict';

  const Layers = root.HazardLayers;
  const el = Layers.el;
  const AREA_FILTERS = ['severity', 'category', 'created_after', 'created_before'];

  function nextDay(isoDate) {
    const d = new Date(isoDate + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  /**
   * options: form (the <form>), statusBox (where the status boxes go), session, utcOffset (the
   * district's, e.g. "+08:00": the date filters are whole local days there).
   */
  function createFilters(options) {
    const form = options.form;
    const fields = form.elements;
    const session = options.session;
    const categories = new Map();

    Layers.STATUSES.forEach(function (s) {
      const label = el('label', 'check');
      const box = el('input');
      box.type = 'checkbox';
      box.name = 'status';
      box.value = s.code;
      box.checked = s.code !== 'void';
      box.defaultChecked = box.checked;
      label.appendChild(box);
      const sw = el('span', 'swatch');
      sw.style.background = 'var(--' + s.code + ')';
      label.appendChild(sw);
      label.appendChild(document.createTextNode(s.zh + ' ' + s.en));
      options.statusBox.appendChild(label);
    });

    /** The hazard filters as API query parameters. */
    function params() {
      const result = new URLSearchParams();
      const boxes = Array.from(options.statusBox.querySelectorAll('input'));
      const chosen = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      if (chosen.length && chosen.length < boxes.length) {
        result.set('status', chosen.join(','));
      }
      ['severity', 'category', 'overdue', 'area_code'].forEach(function (name) {
        if (fields[name].value) {
          result.set(name, fields[name].value);
        }
      });
      // From the start of "from" to the end of "to", in the district's time.
      if (fields.from.value) {
        result.set('created_after', fields.from.value + 'T00:00:00' + options.utcOffset);
      }
      if (fields.to.value) {
        result.set('created_before', nextDay(fields.to.value) + 'T00:00:00' + options.utcOffset);
      }
      return result;
    }

    /** The filters the area counts take (status, overdue and area make no sense for a whole area). */
    function areaParams(level) {
      const result = new URLSearchParams({ level: level });
      params().forEach(function (value, name) {
        if (AREA_FILTERS.indexOf(name) >= 0) {
          result.set(name, value);
        }
      });
      return result;
    }

    /** The filters the statistics take: severity, category and area as in the list, the report dates as the
     * local days themselves (`from`, `to`); not status or overdue, which the statistics count by. */
    function statsParams() {
      const result = new URLSearchParams();
      ['severity', 'category', 'area_code'].forEach(function (name) {
        if (fields[name].value) {
          result.set(name, fields[name].value);
        }
      });
      if (fields.from.value) {
        result.set('from', fields.from.value);
      }
      if (fields.to.value) {
        result.set('to', fields.to.value);
      }
      return result;
    }

    /** What is wrong with the form, or '' when nothing is. */
    function problem() {
      if (fields.from.value && fields.to.value && fields.from.value > fields.to.value) {
        return '开始日期晚于结束日期。The "from" date is after the "to" date.';
      }
      return '';
    }

    async function fetchAllPages(path) {
      const items = [];
      for (let page = 1; page <= 50; page += 1) {
        const response = await session.request(path + '&page_size=100&page=' + page);
        items.push.apply(items, await response.json());
        const info = JSON.parse(response.headers.get('X-Pagination') || '{}');
        if (!info.next_page) {
          break;
        }
      }
      return items;
    }

    function fillCategories(list) {
      const select = fields.category;
      const keep = select.value;
      select.length = 1;
      categories.clear();
      list.forEach(function (c) { categories.set(c.code, c); });
      list.filter(function (c) { return !c.parent_code; }).forEach(function (top) {
        const group = el('optgroup');
        group.label = top.name + ' ' + top.code;
        const all = el('option', null, top.name + '（全部 all）');
        all.value = top.code;
        group.appendChild(all);
        list.filter(function (c) { return c.parent_code === top.code; }).forEach(function (sub) {
          const option = el('option', null, sub.name);
          option.value = sub.code;
          group.appendChild(option);
        });
        select.appendChild(group);
      });
      select.value = keep;
    }

    function fillAreas(streets) {
      const select = fields.area_code;
      const keep = select.value;
      select.length = 1;
      streets.forEach(function (a) {
        const option = el('option', null, a.name);
        option.value = a.code;
        select.appendChild(option);
      });
      addArea(keep);
      select.value = keep;
    }

    // Communities and grids are not listed up front (their boundaries are heavy to fetch); picking one
    // on the choropleth adds it.
    function addArea(code, name) {
      const select = fields.area_code;
      if (code && !Array.from(select.options).some(function (o) { return o.value === code; })) {
        const option = el('option', null, name || code);
        option.value = code;
        select.appendChild(option);
      }
    }

    function selectArea(code, name) {
      addArea(code, name);
      fields.area_code.value = code;
    }

    /** Fill the category and street choices; resolves to the errors met (the page still works without). */
    async function loadChoices() {
      const errors = [];
      try {
        fillCategories(await session.json('/categories'));
      } catch (error) {
        errors.push(error);
      }
      try {
        fillAreas(await fetchAllPages('/areas?level=street'));
      } catch (error) {
        errors.push(error);
      }
      return errors;
    }

    /** "fire.exits" → "消防安全 · 疏散通道" once the categories are known. */
    function categoryName(code) {
      const c = categories.get(code);
      if (!c) {
        return code;
      }
      const parent = c.parent_code && categories.get(c.parent_code);
      return parent ? parent.name + ' · ' + c.name : c.name;
    }

    return {
      params: params,
      areaParams: areaParams,
      statsParams: statsParams,
      problem: problem,
      loadChoices: loadChoices,
      categoryName: categoryName,
      selectArea: selectArea,
    };
  }

  root.HazardFilters = Object.freeze({ createFilters: createFilters, nextDay: nextDay });
})(window);
