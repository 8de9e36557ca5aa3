"""Print the code the demo accounts' authenticator shows now.

    python manage.py demo_totp          the current six-digit code
    python manage.py demo_totp --qr     also the secret and a QR code to scan

The demo's supervisors, auditor and administrator sign in with a password and then
a code from an authenticator app; they were all enrolled with the one published
secret DEMO_TOTP_SECRET. Add it to an authenticator app (Tencent Authenticator,
Microsoft or Google Authenticator, FreeOTP: scan the QR code or type the secret,
time-based, 6 digits, 30 seconds), or run this command for each sign-in.
"""

import io
import time
from urllib.parse import quote

import segno
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from casework import two_factor


class Command(BaseCommand):
    help = (
        "Print the current sign-in code of the demo accounts (from DEMO_TOTP_SECRET); "
        "--qr also prints the secret and a QR code for an authenticator app."
    )

    def add_arguments(self, parser):
        parser.add_argument("--qr", action="store_true", help="also show the secret and a QR code")

    def handle(self, *args, qr=False, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("DEMO_MODE is off: there are no demo accounts here.")
        key = bytes.fromhex(two_factor.demo_key())
        totp = TOTP(key)
        seconds_left = 30 - int(time.time()) % 30
        if qr:
            issuer = quote(settings.OTP_TOTP_ISSUER.replace(":", ""))
            uri = f"otpauth://totp/{issuer}:demo?secret={settings.DEMO_TOTP_SECRET}&issuer={issuer}"
            self.stdout.write(f"Secret (time-based, 6 digits, 30 s): {settings.DEMO_TOTP_SECRET}")
            drawn = io.StringIO()
            segno.make(uri, error="m").terminal(out=drawn, compact=True)
            self.stdout.write(drawn.getvalue())
        self.stdout.write(f"{totp.token():06d}  (valid for {seconds_left} more seconds)")
