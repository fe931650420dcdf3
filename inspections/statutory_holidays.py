"""The public holidays the law itself fixes, for years whose State Council holiday notice is not known yet.

《全国年节及纪念日放假办法》 (as amended by the State Council on 2024-11-10, in force from 2025-01-01), article 2,
gives every citizen these days off:

- 元旦 New Year's Day: 1 day, 1 January;
- 春节 Spring Festival: 4 days, 农历除夕 (the lunar New Year's Eve) and 正月初一 to 初三;
- 清明节 Qingming: 1 day, the day of the 清明 solar term;
- 劳动节 Labour Day: 2 days, 1 and 2 May;
- 端午节 Dragon Boat Festival: 1 day, 农历五月初五;
- 中秋节 Mid-Autumn Festival: 1 day, 农历八月十五;
- 国庆节 National Day: 3 days, 1 to 3 October.

The yearly notice then moves days around (make-up working days, 调休) and places the substitute day off when a
holiday falls on a weekend (the 办法 says there is one, not which day): neither can be known before the notice, so
neither is guessed here. Lunar dates and the solar term come from ``lunar_python`` (6tail's
lunar-python, pinned in requirements.txt), which computes them astronomically for any year.

Pure: no I/O, no clock.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from lunar_python import Lunar

# The amended 办法 applies from 2025; this module is only asked about years after the calendar package's last.
FIRST_YEAR = 2025


def _from_lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    # The solar terms of the lunar year that begins in this Gregorian year: its 清明 is the April one.
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    day = date(solar.getYear(), solar.getMonth(), solar.getDay())
    if (day.year, day.month) != (year, 4):  # 清明 is always 4–6 April; anything else is a library fault
        raise ValueError(f"lunar_python put 清明 {year} on {day}")
    return day


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> Mapping[date, str]:
    """The days off the 办法 fixes in ``year``, each with its holiday's name (e.g. ``2027-02-05: "春节（除夕）"``).

    Read-only. A day that belongs to two holidays (中秋 on 3 October, as in 2028) is named after both.
    """
    if year < FIRST_YEAR:
        raise ValueError(f"the amended holiday rules apply from {FIRST_YEAR}, not to {year}")
    spring_festival = _from_lunar(year, 1, 1)
    days: dict[date, list[str]] = {}

    def add(day: date, name: str) -> None:
        days.setdefault(day, []).append(name)

    add(date(year, 1, 1), "元旦")
    add(spring_festival - timedelta(days=1), "春节（除夕）")
    for offset in range(3):
        add(spring_festival + timedelta(days=offset), f"春节（正月初{'一二三'[offset]}）")
    add(_qingming(year), "清明节")
    add(date(year, 5, 1), "劳动节")
    add(date(year, 5, 2), "劳动节")
    add(_from_lunar(year, 5, 5), "端午节")
    add(_from_lunar(year, 8, 15), "中秋节")
    for day in (1, 2, 3):
        add(date(year, 10, day), "国庆节")
    return MappingProxyType({day: "、".join(names) for day, names in sorted(days.items())})
