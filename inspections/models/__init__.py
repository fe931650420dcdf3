"""Tables and their invariants. Importing this package registers every table on ``Base.metadata``."""
from inspections.models.accounts import RefreshToken, User
from inspections.models.directory import Area, Enterprise

__all__ = ["Area", "Enterprise", "RefreshToken", "User"]
