"""The demo district's layout: 朝阳区 with ten of its real streets, laid out schematically as rectangles (street →
8 communities → 4 grids each), so that finding a point's grid is arithmetic."""
from __future__ import annotations

import math
from dataclasses import dataclass

DISTRICT = ("110105", "朝阳区")
WEST, SOUTH = 116.38, 39.83
STREET_W, STREET_H = 0.056, 0.125  # 5 x 2 streets; each 2 x 4 communities of 2 x 2 grids
GRID_W, GRID_H = STREET_W / 4, STREET_H / 8
STREETS = ["建外街道", "朝外街道", "呼家楼街道", "三里屯街道", "左家庄街道", "香河园街道", "和平街街道", "安贞街道",
           "亚运村街道", "小关街道"]
STREET_WEIGHT = [3, 3, 2.5, 2.5, 1, 1, 1.2, 1.2, 1.5, 1]
COMMUNITY_ROOTS = (
    "永安里 光华里 建国里 大北窑 秀水 北郎家园 东大桥 关东店 金台里 呼家楼 核桃园 新源里 幸福村 农展馆 枣营 团结湖 "
    "水碓子 甜水园 八里庄 红庙 延静里 十里堡 双井 九龙 广和里 劲松 农光里 潘家园 华威 武圣 松榆里 左家庄 曙光里 "
    "静安里 三元里 和平街 安贞里 亚运村 小关 惠新里"
).split()


@dataclass(frozen=True)
class _Grid:
    code: str
    path: str
    street: int


class Layout:
    """The schematic district: rectangles, so finding a point's grid is arithmetic."""

    def __init__(self):
        self.areas: list[dict] = []
        self.grids: dict[tuple[int, int], _Grid] = {}
        code, name = DISTRICT
        self._add(code, name, "district", None, f"/{code}/", WEST, SOUTH, WEST + 5 * STREET_W, SOUTH + 2 * STREET_H)
        for s, street_name in enumerate(STREETS):
            scode, sx, sy = f"{code}{s + 1:03d}", s % 5, s // 5
            spath = f"/{code}/{scode}/"
            self._add(scode, street_name, "street", code, spath, WEST + sx * STREET_W, SOUTH + sy * STREET_H,
                      WEST + (sx + 1) * STREET_W, SOUTH + (sy + 1) * STREET_H)
            for c in range(8):
                ccode, cx, cy = f"{scode}{c + 1:03d}", sx * 2 + c % 2, sy * 4 + c // 2
                root = COMMUNITY_ROOTS[(s * 8 + c) % len(COMMUNITY_ROOTS)]
                cname = f"{root}{'北里' if s * 8 + c >= len(COMMUNITY_ROOTS) else ''}社区"
                cpath = f"{spath}{ccode}/"
                self._add(ccode, cname, "community", scode, cpath, WEST + cx * 2 * GRID_W, SOUTH + cy * 2 * GRID_H,
                          WEST + (cx + 1) * 2 * GRID_W, SOUTH + (cy + 1) * 2 * GRID_H)
                for g in range(4):
                    gx, gy, gcode = cx * 2 + g % 2, cy * 2 + g // 2, f"{ccode}{g + 1:02d}"
                    self._add(gcode, f"{cname[:-2]}第{g + 1}网格", "grid", ccode, f"{cpath}{gcode}/",
                              WEST + gx * GRID_W, SOUTH + gy * GRID_H, WEST + (gx + 1) * GRID_W, SOUTH + (gy + 1) * GRID_H)
                    self.grids[(gx, gy)] = _Grid(gcode, f"{cpath}{gcode}/", s)

    def _add(self, code, name, level, parent, path, w, s, e, n):
        ring = [[round(w, 6), round(s, 6)], [round(e, 6), round(s, 6)], [round(e, 6), round(n, 6)],
                [round(w, 6), round(n, 6)], [round(w, 6), round(s, 6)]]
        self.areas.append({"code": code, "name": name, "level": level, "parent_code": parent, "path": path,
                           "boundary": {"type": "Polygon", "coordinates": [ring]},
                           "min_lon": ring[0][0], "min_lat": ring[0][1], "max_lon": ring[2][0], "max_lat": ring[2][1]})

    def grid_at(self, lon: float, lat: float) -> _Grid | None:
        return self.grids.get((math.floor((lon - WEST) / GRID_W), math.floor((lat - SOUTH) / GRID_H)))
