from django.http import HttpRequest, HttpResponse


def household_list(request: HttpRequest) -> HttpResponse:  # placeholder, replaced by the registry pages
    return HttpResponse("")
