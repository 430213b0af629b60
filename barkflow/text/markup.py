"""Reading a book's files safely: the EPUB's zip archive (bounded per file and as a whole, before
anything is inflated, and checked for DRM) and its documents parsed as XML or HTML (markup counted
before parsing, only the entities a document declares itself expanded, never a file's or a URL's,
and a document that reads no words while its bytes hold some said so). book.py reads the book's
structure and words from what this gives it.
"""

from __future__ import annotations

import functools
import logging
import warnings
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote

from barkflow.errors import BarkflowError
from barkflow.text.decoding import ENCODING_AUTO, decode_script, script_encoding

log = logging.getLogger(__name__)

# Font obfuscation is not DRM: the fonts are only mangled against copying, the text is plain.
FONT_OBFUSCATION = frozenset({"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"})
MAX_MEMBER_BYTES = 64 << 20  # one file of a book (a chapter, the cover): far past real ones, short of a zip bomb
# A whole book: the files read (spine, package, cover...) together, inflated. 40 chapters of 60 MiB
# each passed the file bound and took 5 GB and minutes; the largest real books hold some 30 MiB.
MAX_BOOK_BYTES = 128 << 20
# Markup bounds memory more than bytes do: a parsed element costs BeautifulSoup over a kilobyte, so
# 60 MiB of <p>a</p> would be 8 million of them. Counted as "<" before parsing; a long novel has
# some 100,000.
MAX_BOOK_TAGS = 1_000_000
_PROLOG_BYTES = 64 << 10  # where a document's DOCTYPE must be, if it has one


class Budget:
    """What a book may cost, inflated: MAX_BOOK_BYTES over its files, MAX_BOOK_TAGS of markup;
    checked before each file is inflated (from its declared size) and parsed."""

    def __init__(self, source: str):
        self.source = source
        self.bytes = 0
        self.tags = 0

    def check(self, size: int, what: str, name: str = "") -> None:
        """`size` more bytes (one file's, or with no `name` several files') would still fit."""
        fix = "check the book (a zip bomb?), or split it"
        where = f" {name}" if name else ""
        if name and size > MAX_MEMBER_BYTES:
            raise BarkflowError(f"{self.source}: {what}{where} unpacks to {size / 2**20:.0f} MiB, over the "
                                f"{MAX_MEMBER_BYTES >> 20} MiB a book's file may hold; {fix}")
        if self.bytes + size > MAX_BOOK_BYTES:
            raise BarkflowError(f"{self.source}: the book's files unpack to {(self.bytes + size) / 2**20:.0f} MiB "
                                f"(up to {what}{where}), over the {MAX_BOOK_BYTES >> 20} MiB a book may hold; {fix}")

    def spend(self, size: int) -> None:
        self.bytes += size

    def markup(self, data: bytes, what: str) -> None:
        self.tags += data.count(b"<")
        if self.tags > MAX_BOOK_TAGS:
            raise BarkflowError(f"{self.source}: the book holds over {MAX_BOOK_TAGS:,} tags (up to {what}), more "
                                "than barkflow reads in one book; check the book, or split it")


class Archive:
    def __init__(self, zip_file: zipfile.ZipFile, source: str):
        self.zip = zip_file
        self.source = source
        self.names = set(zip_file.namelist())
        self.budget = Budget(source)

    def size(self, name: str) -> int:
        """What a file declares it unpacks to (0 when it is missing: read() says so)."""
        return self.zip.getinfo(name).file_size if name in self.names else 0

    def read(self, name: str, what: str) -> bytes:
        if name not in self.names:
            raise BarkflowError(f"{self.source}: malformed EPUB: {what} {name} is missing from the archive; "
                                "export the book again as EPUB (e.g. with Calibre)")
        size = self.size(name)
        self.budget.check(size, what, name)  # before inflating anything
        try:
            with self.zip.open(name) as member:
                data = member.read(size + 1)  # never more than declared (+1 to see a lie), whatever it inflates to
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error,
                RuntimeError) as error:  # RuntimeError: a member flagged encrypted (a password needed)
            raise BarkflowError(f"{self.source}: malformed EPUB: cannot read {name} ({error}); "
                                "export the book again as EPUB") from None
        if len(data) > size:
            raise BarkflowError(f"{self.source}: malformed EPUB: {name} unpacks to more than the {size} bytes it "
                                "declares; check the book (a zip bomb?)")
        self.budget.spend(len(data))
        return data

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()


def open_epub(path: Path) -> Archive:
    source = str(path)
    try:
        zip_file = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:  # e.g. a zip version
        raise BarkflowError(f"{source}: not a readable EPUB (not a zip archive: {error}); "
                            "check the download, or export the book again as EPUB") from None
    archive = Archive(zip_file, source)
    try:
        _check_drm(archive)
    except BarkflowError:
        archive.zip.close()
        raise
    return archive


def _check_drm(archive: Archive) -> None:
    fix = "barkflow cannot read encrypted books; use a DRM-free copy of this book"
    for licence in ("META-INF/rights.xml", "META-INF/license.lcpl"):
        if licence in archive.names:
            raise BarkflowError(f"{archive.source}: the book is DRM-protected ({licence}); {fix}")
    if "META-INF/encryption.xml" not in archive.names:
        return
    root = xml_soup(archive.read("META-INF/encryption.xml", "the encryption list"), archive.source, "META-INF/encryption.xml")
    for encrypted in root.find_all("EncryptedData"):
        method = encrypted.find("EncryptionMethod")
        algorithm = method.get("Algorithm", "") if method is not None else ""
        reference = encrypted.find("CipherReference")
        target = reference.get("URI", "?") if reference is not None else "?"
        if algorithm not in FONT_OBFUSCATION:
            raise BarkflowError(f"{archive.source}: the book is DRM-protected (META-INF/encryption.xml encrypts "
                                f"{unquote(target)}); {fix}")


def xml_soup(data: bytes, source: str, name: str):
    """A container, package, NCX or encryption file: XML that must hold at least one element."""
    soup = parse(data, xml=True, source=f"{source}: {name}")
    if soup.find() is None:
        raise BarkflowError(f"{source}: malformed EPUB: {name} is not XML; export the book again as EPUB")
    return soup


def document_soup(data: bytes, xml: bool, source: str, budget: Budget, encoding: str = ENCODING_AUTO):
    """A content document, its markup counted against the book's `budget` before it is parsed
    (`parse`), and said so when it reads no words while its bytes hold some: the one check every
    spine file and HTML book passes, whatever lost the words."""
    budget.markup(data, source)
    if xml and not _well_formed(data):
        # Recovering, the XML parser drops the rest of a file at its first fault: an unclosed <br>,
        # a bare '<', an HTML entity no DTD declares (&nbsp;, &eacute;), nesting past libxml2's
        # 256 levels (where bs4's XML builder also turns quadratic). The HTML parser reads them whole.
        xml = False
    soup = parse(data, xml, source, encoding)
    if not soup.get_text(" ").split():  # bs4 walks the tree through next_element: no recursion
        in_bytes = _words_in_bytes(data)
        if in_bytes:
            log.warning("%s: read 0 of the %d words its bytes hold (a parser lost them); check the file, "
                        "e.g. open it in a browser", source, in_bytes)
    return soup


def parse(data: bytes, xml: bool, source: str, encoding: str = ENCODING_AUTO):
    """XHTML through lxml's XML parser (self-closing tags as XML means them), HTML through its HTML
    parser, decoded by `_html_text` first. An HTML page that opens with an internal DTD subset
    (`<!DOCTYPE html [ <!ENTITY ...> ]>`, as some converters write) is XML: the HTML parser reads
    the subset's "]>" as text, and its entities not at all."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    if not xml and _has_internal_subset(data):
        xml = True
    from bs4.builder import ParserRejectedMarkup

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        try:
            if xml:
                return BeautifulSoup(data, builder=_safe_xml_builder())
            return BeautifulSoup(_html_text(data, source, encoding), "lxml")
        except ParserRejectedMarkup as error:  # no encoding bs4 tried could read it
            raise BarkflowError(f"{source}: cannot read it as {'XML' if xml else 'HTML'} ({error}); "
                                "save it as UTF-8, or export the book again") from None


def safe_xml_parser(**options):
    """lxml's XML parser as every book's XML is read (EPUB here, FB2 in fb2.py): no DTD loaded, no
    network, and huge_tree off, which keeps libxml2's bound on entity amplification (billion
    laughs). `options` add the rest (which entities, a target, recovery)."""
    from lxml import etree

    return etree.XMLParser(load_dtd=False, no_network=True, huge_tree=False, **options)


@functools.cache
def _safe_xml_builder_class():
    from bs4.builder import LXMLTreeBuilderForXML

    class SafeXMLBuilder(LXMLTreeBuilderForXML):
        """BeautifulSoup's lxml XML builder, made safe and whole for books.

        lxml calls a parser target's doctype() from its own internal-subset handler, which then
        fails on the subset's first entity declaration: the rest of the document was lost (an
        empty soup). Without the hook (the Doctype is never read aloud anyway) the subset parses.
        Entities: only those the document declares itself are expanded; external ones (a file or
        URL: XXE) never, nor any DTD loaded; libxml2 bounds entity amplification (billion laughs)
        as long as huge_tree stays off."""

        doctype = None  # lxml looks the hook up as an attribute: None means no hook

        def default_parser(self, encoding):
            try:
                return safe_xml_parser(target=self, recover=True, encoding=encoding, resolve_entities="internal")
            except ValueError as error:  # a declared encoding with a NUL in it: bs4 tries the next one
                raise LookupError(error) from None

    return SafeXMLBuilder


def _safe_xml_builder():
    return _safe_xml_builder_class()()


def _well_formed(data: bytes) -> bool:
    """Whether lxml's XML parser, with the books' safe options and no recovery, reads the document
    to its end."""
    from lxml import etree

    try:
        etree.fromstring(data, safe_xml_parser(resolve_entities="internal"))
    except (etree.XMLSyntaxError, ValueError):
        return False
    return True


def _has_internal_subset(data: bytes) -> bool:
    """Whether the document opens with a DOCTYPE that has an internal subset. Read by expat up to
    the DOCTYPE's name only: nothing in the subset is parsed or expanded here."""
    from xml.parsers import expat

    class Found(Exception):
        pass

    def doctype(name, system_id, public_id, has_internal_subset):
        raise Found(bool(has_internal_subset))

    def element(name, attributes):
        raise Found(False)

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler, parser.StartElementHandler = doctype, element
    try:
        parser.Parse(data[:_PROLOG_BYTES], False)
    except Found as found:
        return found.args[0]
    except (expat.ExpatError, ValueError, LookupError):  # not XML up to there (or in an unknown encoding)
        pass
    return False


def _words_in_bytes(data: bytes) -> int:
    """How many words a document's bytes hold outside its markup, by a streaming tokenizer
    (html.parser: no tree, no recursion) that shares nothing with the parse it checks."""
    from html.parser import HTMLParser

    class Counter(HTMLParser):
        words = 0
        skip = 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style") and self.skip > 0

        def handle_data(self, text):
            self.words += 0 if self.skip else len(text.split())

    counter = Counter(convert_charrefs=True)
    counter.feed(data.decode("utf-8", errors="replace"))
    counter.close()
    return counter.words


def _html_text(data: bytes, source: str, encoding: str = ENCODING_AUTO) -> str:
    """An HTML page's text: in the encoding its byte order mark or its charset declaration names,
    else `encoding` (project.encoding), as script files are (a bad byte is a one-line error). Left
    to guess, BeautifulSoup read a short UTF-8 page without a charset as another encoding, and
    ignored a declared latin-1."""
    from bs4.dammit import EncodingDetector

    declared = None if script_encoding(data)[1] else EncodingDetector.find_declared_encoding(data, is_html=True)
    if declared:
        try:
            return data.decode(declared, errors="replace")
        except (LookupError, ValueError):  # a charset Python does not know (or a NUL in its name): as a script file
            pass
    return decode_script(data, source, encoding)
