"""Tables and their invariants. Importing this package registers every table on ``Base.metadata`` and does
nothing else (the map's running counts are attached to the session factory: ``inspections.map_cells.keep_counts``)."""
from inspections.models.accounts import RefreshToken, SignInCounter, User
from inspections.models.catalog import Campaign, Category, WorkdayOverride
from inspections.models.directory import Area, Enterprise
from inspections.models.hazards import (
    Extension, Hazard, HazardEvent, Inspection, InspectionInspector, RemediationPlan,
)
from inspections.models.map import MapCell
from inspections.models.photos import Photo, Rectification, Upload

__all__ = [
    "Area", "Campaign", "Category", "Enterprise", "Extension", "Hazard", "HazardEvent", "Inspection",
    "InspectionInspector", "MapCell", "Photo", "Rectification", "RefreshToken", "RemediationPlan", "SignInCounter", "Upload", "User", "WorkdayOverride",
]
