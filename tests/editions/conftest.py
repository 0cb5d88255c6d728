import pytest

from editions.services import EditionSpec, create_edition


@pytest.fixture
def edition_a(catalogue):
    return create_edition(
        EditionSpec("Ankeby bibliotek", "ankeby.localhost", "Ankeby kommun", "#0b5cad")
    )[0]


@pytest.fixture
def edition_b(catalogue):
    return create_edition(EditionSpec("Bebyholm bibliotek", "bebyholm.localhost"))[0]
