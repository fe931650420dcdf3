"""Tables and their invariants. Importing this package registers every table on ``Base.metadata``."""
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

# The listeners that keep the map's running counts in step with the hazards, in every session.
import inspections.map_cells  # noqa: E402,F401
