import pytest
from django.urls import reverse

from sanad.accounts.models import RoleAssignment, User
from sanad.accounts.services import role_assign
from sanad.core.errors import ValidationFailed
from tests.conftest import client_for
from tests.factories import DUHOK, OrganisationFactory, UserFactory, make_user

pytestmark = pytest.mark.django_db


def test_an_administrator_creates_a_user_and_gives_a_scoped_role():
    admin = make_user("administrator")
    client = client_for(admin)
    org = OrganisationFactory()
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "new.enumerator",
            "full_name": "Rawa Salim",
            "organisation": org.pk,
            "password": "",
        },
    )
    person = User.objects.get(username="new.enumerator")
    assert response.status_code == 302 and not person.has_usable_password()
    response = client.post(
        reverse("accounts:role_assign", args=[person.public_id]),
        {"role": "field_enumerator", "governorates": [DUHOK], "programmes": ["NFI", "CCCM"]},
    )
    assert response.status_code == 302
    grant = person.scope_grants("geo.view_place")[0]
    assert grant.governorates == {DUHOK} and grant.programmes == {"NFI", "CCCM"}


def test_a_role_without_any_scope_is_refused_with_a_message_per_field():
    person = UserFactory()
    with pytest.raises(ValidationFailed) as exc:
        role_assign(user=person, role="field_enumerator")
    assert set(exc.value.fields) == {"governorates", "programmes"}


def test_a_role_scoped_to_a_district_code_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        role_assign(
            user=UserFactory(),
            role="field_enumerator",
            governorates=["IQG09Q01"],
            all_programmes=True,
        )
    assert "IQG09Q01" in str(exc.value.fields["governorates"])


def test_the_role_form_shows_errors_in_the_page():
    admin = make_user("administrator")
    person = UserFactory()
    response = client_for(admin).post(
        reverse("accounts:role_assign", args=[person.public_id]), {"role": "camp_manager"}
    )
    assert response.status_code == 400
    assert "Choose at least one governorate" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_an_im_officer_sees_users_but_cannot_create_them():
    imo = make_user("im_officer")
    client = client_for(imo)
    assert client.get(reverse("accounts:user_list")).status_code == 200
    assert client.get(reverse("accounts:user_create")).status_code == 403


def test_the_user_list_searches_and_sorts():
    admin = make_user("administrator", username="aaa-admin")
    UserFactory(username="zz-hawre", full_name="Hawre Omer")
    client = client_for(admin)
    found = client.get(reverse("accounts:user_list"), {"q": "hawre"}).context["object_list"]
    assert [u.username for u in found] == ["zz-hawre"]
    ordered = client.get(reverse("accounts:user_list"), {"sort": "-username"}).context[
        "object_list"
    ]
    assert ordered[0].username == "zz-hawre"


def test_the_user_list_makes_the_same_number_of_queries_for_more_users(
    django_assert_max_num_queries,
):
    admin = make_user("administrator")
    client = client_for(admin)
    client.get(reverse("accounts:user_list"))
    for _ in range(15):
        make_user("field_enumerator", governorates=(DUHOK,))
    with django_assert_max_num_queries(12):
        client.get(reverse("accounts:user_list"))


def test_deactivating_an_account_stops_its_access_and_one_cannot_deactivate_oneself():
    admin = make_user("administrator")
    person = make_user("field_enumerator")
    client = client_for(admin)
    client.post(reverse("accounts:user_set_active", args=[person.public_id]), {"active": "0"})
    person.refresh_from_db()
    assert not person.is_active and person.scope_grants("geo.view_place") == []
    client.post(reverse("accounts:user_set_active", args=[admin.public_id]), {"active": "0"})
    admin.refresh_from_db()
    assert admin.is_active


def test_my_account_page_shows_my_roles_and_saves_my_details():
    user = make_user("camp_manager", governorates=(DUHOK,), programmes=("CCCM",))
    client = client_for(user)
    page = client.get(reverse("accounts:profile"))
    assert "Camp manager" in page.content.decode()
    client.post(
        reverse("accounts:profile"),
        {
            "full_name": "New Name",
            "email": "n@example.org",
            "phone": "",
            "preferred_language": "ar",
        },
    )
    user.refresh_from_db()
    assert user.full_name == "New Name" and user.preferred_language == "ar"
