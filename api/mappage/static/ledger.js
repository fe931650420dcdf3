/*
 * Exporting the hazard ledger (隐患台账) to Excel with the page's filters. The export needs the bearer token, so
 * it is fetched with the Authorization header (a plain link would carry none) and the answer saved from a blob
 * under the name the server gives in Content-Disposition.
 */
(function (root) {
  'use strict';

  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

  /** The file name of a Content-Disposition header: filename* (RFC 5987) first, then filename. */
  function filenameOf(header, fallback) {
    let name = '';
    const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header || '');
    if (extended) {
      try {
        name = decodeURIComponent(extended[2].trim().replace(/^"(.*)"$/, '$1'));
      } catch (_) {
        name = '';
      }
    }
    if (!name) {
      const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header || '');
      name = plain ? (plain[1] !== undefined ? plain[1] : plain[2]).trim() : '';
    }
    name = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
    return name || fallback;
  }

  /** Save ``blob`` as a download called ``filename``. */
  function save(blob, filename) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    // The download has its own copy once it started; the URL only keeps the blob in memory.
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  /** GET /exports/hazards.xlsx?<params> with the session's token; resolves to the file name saved. */
  async function exportLedger(session, params) {
    const response = await session.request('/exports/hazards.xlsx?' + params.toString(), {
      headers: { Accept: XLSX },
    });
    const filename = filenameOf(response.headers.get('Content-Disposition'), 'hazards.xlsx');
    save(await response.blob(), filename);
    return filename;
  }

  root.HazardLedger = Object.freeze({ exportLedger: exportLedger, filenameOf: filenameOf });
})(window);
