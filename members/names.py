"""Names compared by sound: the same pinyin, or a close spelling.

A rider may write 章伟 on his phone where the desk wrote 张伟, or type his name
in Latin letters. `pinyin_key` reads a name as toneless pinyin without spaces
(张伟, 章伟 and "Zhang Wei" all give ``zhangwei``); `close` accepts one slip of
a letter or character (rapidfuzz's normalised Indel ratio, over the pinyin and
over the characters).
"""

import functools

from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz

# Percent similarity from which two spellings count as close: "zhang wei" / "zhang weii"
# 95 (close); 刘德华 / 刘德 (liudehua, liude) 77 and 陈建国 / 陈建华 not (another person).
CLOSE_RATIO = 85


@functools.lru_cache(maxsize=65536)
def pinyin_key(name: str) -> str:
    syllables = lazy_pinyin(name.strip(), style=Style.NORMAL, errors="default")
    return "".join(syllables).lower().replace(" ", "").replace("·", "")


def same_sound(a: str, b: str) -> bool:
    return bool(a.strip()) and pinyin_key(a) == pinyin_key(b)


def close(a: str, b: str) -> bool:
    """The same pinyin, or one slip away in pinyin or in characters."""
    if not a.strip() or not b.strip():
        return False
    ka, kb = pinyin_key(a), pinyin_key(b)
    return (
        ka == kb
        or fuzz.ratio(ka, kb) >= CLOSE_RATIO
        or (len(a) > 2 and fuzz.ratio(a.strip(), b.strip()) >= CLOSE_RATIO)
    )
