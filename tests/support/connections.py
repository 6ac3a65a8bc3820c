"""Provider connections for activity tests: a migrated SQLite database in the settings'
data folder, and connections added through the API's own service (URL check, encryption)."""

from alembic import command
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session

from api.connections.schemas import ConnectionCreate
from api.connections.service import create_connection
from api.db.models import ProviderConnection, User
from settings import Settings
from tests.support.migrations import alembic_config


def add_connection(settings: Settings, **fields: object) -> None:
    """Adds a connection as an administrator would (``POST /api/v1/connections``)."""
    command.upgrade(alembic_config(settings.sqlalchemy_url), "head")
    engine = create_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            create_connection(
                session,
                user=User(email="admin@example.org", is_admin=True),
                settings=settings,
                body=ConnectionCreate.model_validate(fields),
            )
    finally:
        engine.dispose()


def set_private_network(settings: Settings, name: str, allowed: bool) -> None:
    """Changes a stored connection's permission without the save-time check, as a DNS
    answer that changes after the URL was saved would (the call-time guard must hold)."""
    engine = create_engine(settings.sqlalchemy_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                update(ProviderConnection)
                .where(ProviderConnection.name == name)
                .values(allow_private_network=allowed)
            )
    finally:
        engine.dispose()
