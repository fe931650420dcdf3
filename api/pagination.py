"""flask-smorest pagination over a SQLAlchemy ``select``: one COUNT and one LIMIT/OFFSET query."""
from flask_smorest import Page

from api.db import session
from inspections.db import count_rows


class SelectPage(Page):
    @property
    def items(self):
        params = self.page_params
        if params.first_item >= self.item_count:
            return []  # past the end; also keeps absurd page numbers away from the database
        return session().scalars(self.collection.offset(params.first_item).limit(params.page_size)).all()

    @property
    def item_count(self):
        return count_rows(session(), self.collection)
