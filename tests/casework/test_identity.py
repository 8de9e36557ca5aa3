"""ID numbers, credit codes and phones: validated, masked, encrypted, hashed.

Valid ID numbers are built here with python-stdnum's GB 11643 check digit, so
no real person's number appears in the suite.
"""

from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from stdnum.cn import ric

from casework.identity import (
    birth_date_from_id,
    decrypt,
    encrypt,
    keyed_hash,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    rotate,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

ID_MESSAGE = "Enter a valid 18-character national ID number; the last character is a checksum."


@pytest.fixture(autouse=True)
def english():
    # The site defaults to zh-hans; these tests read the English source messages.
    with translation.override("en"):
        yield


def with_check_digit(first_17: str) -> str:
    return first_17 + ric.calc_check_digit(first_17 + "0")


def with_wrong_check_digit(first_17: str) -> str:
    right = ric.calc_check_digit(first_17 + "0")
    return first_17 + ("1" if right != "1" else "2")


# Danjiangkou, Hubei, born 1 January 1990; check digit 2.
VALID_ID = with_check_digit("42038119900101123")
# A check digit of X (10), for the upper-casing and masking cases.
VALID_ID_X = next(
    number
    for number in (with_check_digit(f"42130319850312{seq:03d}") for seq in range(1000))
    if number.endswith("X")
)


def test_the_test_ids_are_what_they_claim():
    assert VALID_ID == "420381199001011232"
    assert VALID_ID_X.endswith("X")
    assert ric.calc_check_digit(VALID_ID_X) == "X"


# National ID numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID_ID, VALID_ID),
        (f" {VALID_ID} ", VALID_ID),
        ("420381 19900101 1232", VALID_ID),
        ("４２０３８１１９９００１０１１２３２", VALID_ID),  # full-width digits
        (VALID_ID_X.lower(), VALID_ID_X),
        (VALID_ID_X[:-1] + "ｘ", VALID_ID_X),  # full-width lower-case x
        (VALID_ID_X[:-1] + "Ｘ", VALID_ID_X),
        ("360426199101010071", "360426199101010071"),  # python-stdnum's own example
    ],
)
def test_it_accepts_valid_id_numbers_and_normalizes_them(text, expected):
    assert validate_id_number(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "invalid"),
        ("abc", "invalid"),
        (VALID_ID[:-1], "invalid"),  # 17 characters
        (VALID_ID + "1", "invalid"),  # 19 characters
        ("420381900101123", "invalid"),  # old 15-digit form
        ("X20381199001011232", "invalid"),  # X only as the check character
        ("42038119900101123A", "invalid"),
        ("٤٢٠٣٨١١٩٩٠٠١٠١١٢٣٢", "invalid"),  # Arabic-Indic digits
        (with_wrong_check_digit("42038119900101123"), "checksum"),
        ("420381199001011234", "checksum"),
        (with_check_digit("42038119901301123"), "invalid"),  # month 13
        (with_check_digit("42038119900230123"), "invalid"),  # 30 February
        (with_check_digit("42038118991231123"), "invalid"),  # before 1900
    ],
)
def test_it_refuses_malformed_id_numbers_and_bad_checksums(text, code):
    with pytest.raises(ValidationError) as refused:
        validate_id_number(text)
    assert refused.value.code == code
    assert refused.value.messages == [ID_MESSAGE]


def test_it_refuses_an_id_number_born_in_the_future():
    tomorrow = timezone.localdate() + timedelta(days=1)
    number = with_check_digit(f"420381{tomorrow:%Y%m%d}123")
    with pytest.raises(ValidationError):
        validate_id_number(number)


def test_it_accepts_a_place_code_that_python_stdnum_does_not_date_to_the_birth_year():
    # stdnum's full validate() refuses this genuine Danjiangkou number; we check
    # only the checksum and the birth date.
    assert not ric.is_valid(VALID_ID)
    assert validate_id_number(VALID_ID) == VALID_ID


def test_normalize_id_number_strips_spaces_and_upper_cases_the_x():
    assert normalize_id_number(" ４２１３０３ 19850312 123x\u3000") == "42130319850312123X"


def test_birth_date_comes_from_the_id_number():
    assert birth_date_from_id(VALID_ID) == date(1990, 1, 1)
    assert birth_date_from_id(VALID_ID_X) == date(1985, 3, 12)


def test_birth_date_refuses_an_invalid_id_number():
    with pytest.raises(ValidationError):
        birth_date_from_id(with_wrong_check_digit("42038119900101123"))


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("420381199001011234", "420381********1234"),
        (VALID_ID, "420381********1232"),
        (VALID_ID_X, VALID_ID_X[:6] + "********" + VALID_ID_X[-4:]),
        (VALID_ID_X.lower(), VALID_ID_X[:6] + "********" + VALID_ID_X[-4:]),
        ("", ""),
        ("12345", "*****"),
    ],
)
def test_an_id_number_is_masked_to_its_place_code_and_last_four(number, masked):
    assert mask_id_number(number) == masked


def test_a_masked_id_number_keeps_the_x():
    assert mask_id_number(VALID_ID_X).endswith("X")
    assert mask_id_number(VALID_ID_X).count("*") == 8


# Unified social credit codes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("91110108551385082Q", "91110108551385082Q"),
        ("91110108551385082q", "91110108551385082Q"),
        (" 9111 0108 5513 8508 2Q ", "91110108551385082Q"),
        ("９１１１０１０８５５１３８５０８２Ｑ", "91110108551385082Q"),
        ("91110000600037341L", "91110000600037341L"),
    ],
)
def test_it_accepts_valid_credit_codes_and_normalizes_them(text, expected):
    assert validate_credit_code(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "91110108551385082",  # 17 characters
        "91110108551385082R",  # wrong check character
        "A1110108551385082Q",  # letters in the first eight
        "91110108551385O82Q",  # O is not in the alphabet
    ],
)
def test_it_refuses_invalid_credit_codes(text):
    with pytest.raises(ValidationError) as refused:
        validate_credit_code(text)
    assert refused.value.messages == [
        "Enter a valid 18-character unified social credit code; the last character is a checksum."
    ]


# Telephone numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("19912345678", "19912345678"),
        ("0722-3456789", "0722-3456789"),
        ("07223456789", "0722-3456789"),
        ("0722 3456789", "0722-3456789"),
        ("(0722) 3456789", "0722-3456789"),
        ("010-87654321", "010-87654321"),
        ("01087654321", "010-87654321"),
        ("020-8765432", "020-8765432"),
        ("０７２２－３４５６７８９", "0722-3456789"),
    ],
)
def test_it_accepts_mobile_and_landline_numbers_and_normalizes_them(text, expected):
    assert validate_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "12812345678",  # mobiles start 13-19
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "+85213812345678",  # not +86
        "+86 0722 3456789",  # +86 only before a mobile
        "3456789",  # landline without area code
        "0722-345678",  # 6-digit local number
        "0722-345678901",  # 9-digit local number
        "0722-0456789",  # local numbers do not start with 0
        "0722-3456789-801",  # extension
        "400-123-4567",
    ],
)
def test_it_refuses_other_phone_numbers(text):
    with pytest.raises(ValidationError) as refused:
        validate_phone(text)
    assert refused.value.messages == [
        "Enter a mobile number (11 digits starting with 1) or a landline number with its "
        "area code, such as 0722-3456789."
    ]


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0722-3456789", "0722-***6789"),
        ("010-87654321", "010-****4321"),
    ],
)
def test_a_phone_is_masked_to_its_prefix_and_last_four(phone, masked):
    assert mask_phone(phone) == masked


# Encryption ----------------------------------------------------------------------------


def test_encrypt_and_decrypt_round_trip():
    token = encrypt(VALID_ID)
    assert VALID_ID not in token
    assert decrypt(token) == VALID_ID


def test_encrypting_twice_gives_different_tokens():
    assert encrypt(VALID_ID) != encrypt(VALID_ID)


def test_encryption_round_trips_chinese_text():
    assert decrypt(encrypt("随州市曾都区 张三")) == "随州市曾都区 张三"


def test_a_token_from_an_unknown_key_is_refused(settings):
    token = encrypt(VALID_ID)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(InvalidToken):
        decrypt(token)


def test_after_adding_a_new_key_old_tokens_still_decrypt_and_rotate_to_the_new_key(settings):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    old_token = encrypt(VALID_ID)

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert decrypt(old_token) == VALID_ID
    new_token = rotate(old_token)
    assert new_token != old_token
    assert Fernet(new_key.encode()).decrypt(new_token.encode()).decode() == VALID_ID

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert decrypt(new_token) == VALID_ID
    with pytest.raises(InvalidToken):
        decrypt(old_token)


def test_new_tokens_are_encrypted_with_the_first_key(settings):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    token = encrypt(VALID_ID)
    assert Fernet(new_key.encode()).decrypt(token.encode()).decode() == VALID_ID
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(token.encode())


# Keyed hashes --------------------------------------------------------------------------


def test_keyed_hash_is_stable_hex_sha256():
    digest = keyed_hash(VALID_ID)
    assert digest == keyed_hash(VALID_ID)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert VALID_ID not in digest


def test_keyed_hash_matches_the_same_number_however_it_was_typed():
    assert keyed_hash(VALID_ID_X) == keyed_hash(" " + VALID_ID_X.lower())
    assert keyed_hash(VALID_ID) == keyed_hash("４２０３８１ 19900101 1232")


def test_keyed_hash_differs_for_different_numbers():
    assert keyed_hash(VALID_ID) != keyed_hash(VALID_ID_X)


def test_keyed_hash_differs_for_different_keys(settings):
    settings.ID_HASH_KEY = "first-key"
    first = keyed_hash(VALID_ID)
    settings.ID_HASH_KEY = "second-key"
    assert keyed_hash(VALID_ID) != first
