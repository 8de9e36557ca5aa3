"""Settings for the test suite: the project's settings with fixed test keys."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "suG0i3QavVWGzRHT18zF81Z9gb9p2NpUn8Qp4H87etE=")
os.environ.setdefault("ID_HASH_KEY", "tests-only-id-hash-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Files the tests store without the document_storage fixture (kept case files, export
# ZIPs) go to a folder of this test process, removed when it ends.
if "DOCUMENT_ROOT" not in os.environ:
    os.environ["DOCUMENT_ROOT"] = tempfile.mkdtemp(prefix="casework-tests-")
    atexit.register(shutil.rmtree, os.environ["DOCUMENT_ROOT"], ignore_errors=True)

from casework.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
DEMO_MODE = True
# Playwright drives a live server from a thread of the test process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Serve static files from the app folders: no collectstatic needed for live-server tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
