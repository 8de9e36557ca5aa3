from . import reference


def site(request):
    return {"union_name": reference.current(reference.Key.UNION_NAME)}
