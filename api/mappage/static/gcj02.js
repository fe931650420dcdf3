/*
 * WGS-84 <-> GCJ-02 ("Mars coordinates"), for drawing on Chinese base maps (Gaode, Tencent) that are
 * offset by the national datum shift. The service stores and sends WGS-84 only; the page converts
 * for drawing and converts the view back before asking the server.
 *
 * The forward formula is the widely published public-domain one (Krasovsky 1940 ellipsoid); it is
 * not the secret official transform, but agrees with it to about a metre. Outside a rough box around
 * China no shift applies, as the providers do. Pure functions, no Leaflet: testable on their own.
 * Coordinates are (lon, lat) in, [lon, lat] out, as in GeoJSON.
 */
(function (root) {
  'use strict';

  const A = 6378245.0; // semi-major axis of the Krasovsky 1940 ellipsoid, metres
  const EE = 0.00669342162296594323; // its first eccentricity squared
  const PI = Math.PI;

  function outOfChina(lon, lat) {
    return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }

  function rawLat(x, y) {
    let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    ret += (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    return ret;
  }

  function rawLon(x, y) {
    let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    ret += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return ret;
  }

  /** The shift [dLon, dLat] in degrees that GCJ-02 adds to a WGS-84 point inside China. */
  function shift(lon, lat) {
    const x = lon - 105.0;
    const y = lat - 35.0;
    const radLat = lat / 180.0 * PI;
    let magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    const sqrtMagic = Math.sqrt(magic);
    const dLat = (rawLat(x, y) * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * PI);
    const dLon = (rawLon(x, y) * 180.0) / (A / sqrtMagic * Math.cos(radLat) * PI);
    return [dLon, dLat];
  }

  /** WGS-84 (lon, lat) to GCJ-02 [lon, lat]; unchanged outside China or for non-numbers. */
  function wgs84ToGcj02(lon, lat) {
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || outOfChina(lon, lat)) {
      return [lon, lat];
    }
    const d = shift(lon, lat);
    return [lon + d[0], lat + d[1]];
  }

  /**
   * GCJ-02 (lon, lat) back to WGS-84 [lon, lat]. The forward shift has no closed inverse; a few
   * fixed-point steps bring it within a millimetre (the shift changes slowly with position).
   */
  function gcj02ToWgs84(lon, lat) {
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || outOfChina(lon, lat)) {
      return [lon, lat];
    }
    let wLon = lon;
    let wLat = lat;
    for (let i = 0; i < 10; i += 1) {
      const g = wgs84ToGcj02(wLon, wLat);
      const eLon = g[0] - lon;
      const eLat = g[1] - lat;
      wLon -= eLon;
      wLat -= eLat;
      if (Math.abs(eLon) < 1e-10 && Math.abs(eLat) < 1e-10) {
        break;
      }
    }
    return [wLon, wLat];
  }

  root.Gcj02 = Object.freeze({ wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84, outOfChina: outOfChina });
})(typeof window !== 'undefined' ? window : globalThis);
