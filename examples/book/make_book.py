"""Write examples/book/fables.epub: three of Aesop's fables (public domain, in the Townsend
translation of 1867, shortened), as an EPUB 3 with a cover, a title page, a copyright page and a
navigation document. Run it from anywhere: python examples/book/make_book.py [OUT.epub]
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

from ebooklib import epub

FABLES = {
    "The Fox and the Grapes": [
        "A famished fox saw some clusters of ripe black grapes hanging from a trellised vine.",
        "She tried every trick to get at them, but wearied herself in vain. At last she turned away, "
        "saying: The grapes are sour, and not ripe as I thought.",
    ],
    "The North Wind and the Sun": [
        "The North Wind and the Sun disputed which was the more powerful, and agreed that he who "
        "could strip a traveller of his clothes should be the victor.",
        "The Wind blew hard, and the traveller only wrapped his cloak closer. Then the Sun shone "
        "out warmly, and the traveller took off his cloak. Persuasion is better than force.",
    ],
    "The Tortoise and the Hare": [
        "A hare one day ridiculed the short feet and slow pace of the tortoise, who replied: "
        "Though you be swift as the wind, I will beat you in a race.",
        "The hare lay down and fell asleep; the tortoise never stopped until she reached the goal. "
        "Slow but steady wins the race.",
    ],
}


def cover_png(width: int = 64, height: int = 96) -> bytes:
    """A plain two-tone cover, drawn in code so the example needs no image file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + (b"\x20\x40\x80" if y < height // 2 else b"\xe0\xc0\x60") * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def page(book: epub.EpubBook, uid: str, title: str, body: str) -> epub.EpubHtml:
    item = epub.EpubHtml(uid=uid, title=title, file_name=f"{uid}.xhtml", lang="en")
    item.content = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    book.add_item(item)
    return item


def build(out: Path) -> Path:
    book = epub.EpubBook()
    book.set_identifier("barkflow-example-fables")
    book.set_title("Three Fables")
    book.set_language("en")
    book.add_author("Aesop")
    book.add_metadata("DC", "publisher", "barkflow examples")
    book.add_metadata("DC", "date", "1867")
    book.set_cover("cover.png", cover_png())
    title = page(book, "title", "Title Page", '<section epub:type="titlepage"><h1>Three Fables</h1><p>Aesop</p></section>')
    rights = page(book, "copyright", "Copyright",
                  '<section epub:type="copyright-page"><p>This text is in the public domain.</p></section>')
    chapters = [
        page(book, f"fable{n}", name, f'<section epub:type="chapter"><h1>{name}</h1>'
             + "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs) + "</section>")
        for n, (name, paragraphs) in enumerate(FABLES.items(), start=1)
    ]
    book.toc = [epub.Link(c.file_name, c.title, c.id) for c in chapters]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["cover", title, rights, "nav", *chapters]
    epub.write_epub(str(out), book, {"epub3_pages": False})
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("fables.epub")))
