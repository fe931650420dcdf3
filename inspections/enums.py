"""The closed vocabularies of the domain, in one place.

Values are stored as plain strings with CHECK constraints (no native enums), so the same schema works on
SQLite and PostgreSQL and migrations can copy the values rather than import this module.
"""
from enum import StrEnum


class Role(StrEnum):
    INSPECTOR = "inspector"
    ENTERPRISE_OFFICER = "enterprise_officer"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class AreaLevel(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


# Parent level each level must hang under; a district is the root.
AREA_PARENT_LEVEL = {
    AreaLevel.DISTRICT: None,
    AreaLevel.STREET: AreaLevel.DISTRICT,
    AreaLevel.COMMUNITY: AreaLevel.STREET,
    AreaLevel.GRID: AreaLevel.COMMUNITY,
}


class VenueType(StrEnum):
    """What kind of place an enterprise is; the small_* values are the 九小场所."""

    ENTERPRISE = "enterprise"  # 生产经营单位 (factories, warehouses, …)
    SMALL_SHOP = "small_shop"  # 小商店
    SMALL_RESTAURANT = "small_restaurant"  # 小餐饮
    SMALL_HOTEL = "small_hotel"  # 小旅馆
    SMALL_ENTERTAINMENT = "small_entertainment"  # 小歌舞娱乐
    SMALL_INTERNET_CAFE = "small_internet_cafe"  # 小网吧
    SMALL_BEAUTY_BATH = "small_beauty_bath"  # 小美容洗浴
    SMALL_SCHOOL = "small_school"  # 小学校、幼儿园、培训机构
    SMALL_CLINIC = "small_clinic"  # 小医院、诊所
    SMALL_WORKSHOP = "small_workshop"  # 小生产加工企业
    OTHER = "other"


def values(enum) -> list[str]:
    return [member.value for member in enum]


def sql_in(column: str, enum) -> str:
    """The body of a CHECK constraint that keeps ``column`` inside the enum's values."""
    quoted = ", ".join(f"'{v}'" for v in values(enum))
    return f"{column} IN ({quoted})"


class HazardStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    SUBMITTED = "submitted"
    CLOSED = "closed"
    VOID = "void"


# States in which a hazard still counts against the enterprise and its deadline runs.
ACTIVE_STATUSES = (HazardStatus.OPEN, HazardStatus.ACKNOWLEDGED, HazardStatus.SUBMITTED)


class Severity(StrEnum):
    GENERAL = "general"  # 一般隐患
    MAJOR = "major"  # 重大隐患


class InspectionKind(StrEnum):
    ROUTINE = "routine"  # 定期
    UNANNOUNCED = "unannounced"  # 不定期
    SPECIAL = "special"  # 专项
    COVERT = "covert"  # 暗访


class LocationSource(StrEnum):
    EXIF = "exif"  # read from the photo
    DEVICE = "device"  # the phone's GPS at the time of the report
    MANUAL = "manual"  # placed by hand on a map
    ENTERPRISE = "enterprise"  # nothing better: the enterprise's registered location


class PhotoKind(StrEnum):
    EVIDENCE = "evidence"  # the hazard as found
    RECTIFICATION = "rectification"  # the hazard put right


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
