"""User accounts (admin only)."""
from flask.views import MethodView

from api.auth import login_required
from api.clock import system_clock
from api.db import session
from api.pagination import SelectPage
from api.parsing import Blueprint
from api.users.schemas import UserCreateSchema, UserQuerySchema, UserSchema, UserUpdateSchema
from inspections import accounts
from inspections.enums import Role

blp = Blueprint("users", __name__, url_prefix="/users", description="User accounts; admins only.")


@blp.route("")
class Users(MethodView):
    decorators = [login_required(Role.ADMIN)]

    @blp.arguments(UserQuerySchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List users, optionally of one role."""
        return accounts.users_query(role=args.get("role"))

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, description="The username is taken.")
    def post(self, body):
        """Create a user. An officer needs `enterprise_id`, an inspector `area_code`. A password that is too short,
        common, or built from the username or name is refused with 422 saying why."""
        return accounts.create_user(session(), **body)


@blp.route("/<id:user_id>")
class UserById(MethodView):
    decorators = [login_required(Role.ADMIN)]

    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user."""
        return accounts.get_user(session(), user_id)

    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, body, user_id):
        """Change a user. Setting a new password or `active: false` signs them out of every device at once: their
        access tokens answer 401 from then on and their refresh tokens are revoked. A password that is too short,
        common, or built from their username or name is refused with 422 saying why."""
        return accounts.update_user(session(), user_id, body, now=system_clock())
