from django.conf import settings


def site(request):
    return {"union_name": settings.UNION_NAME}
