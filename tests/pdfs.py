"""Small PDFs built in code with reportlab, for the format tests: a novel's pages with running
heads (the book's title on left pages, the author on right ones), page numbers at the foot,
indented paragraphs, words hyphenated across line breaks, chapter headings and an outline.
`BODY` holds what should be read, chapter by chapter, so tests compare words in and out.
"""

from __future__ import annotations

from pathlib import Path

TITLE = "The Printed Test Novel"
AUTHOR = "Penny Printer"

# Long enough that chapters run over several pages, so running heads repeat; "extraordinary" and
# "well-known" come often, and every other one of them is broken across a line (see `build_pdf`).
BODY = {
    "Chapter 1": [
        "The well-known harbour lay still under an extraordinary sky, and the keeper walked the quay "
        "slowly, counting boats as he had done every evening for thirty years.",
        "Nobody in the town thought the evening extraordinary; the well-known bell rang at nine, the "
        "lamps burned low, and the tide came in without a sound.",
        "She arrived by the last coach, carrying a lantern, a rope and a loaf of bread wrapped in an "
        "old newspaper that told of an extraordinary storm.",
    ] * 3,
    "Chapter 2": [
        "Morning came grey over the water, and the well-known smell of tar and salt drifted up the "
        "narrow streets toward the chapel on the hill.",
        "A line from an old song stayed with her all day, something about extraordinary weather and "
        "a well-known sailor who never came home.",
    ] * 4,
}
# Words that are broken at a line's end: where (after how many characters), every other time they come.
BREAKS = {"extraordinary": 5, "well-known": 5}


def build_pdf(path: Path, body: dict = BODY, *, title: str = TITLE, author: str = AUTHOR, outline: bool = True,
              headings: bool = True, running_heads: bool = True, page_numbers: bool = True,
              breaks: dict = BREAKS, lines_per_page: int = 14, text: bool = True,
              word_by_word: bool = False) -> Path:
    """A PDF of `body` (chapter title -> paragraphs), each chapter from a new page under its title as
    a heading (`headings`), with bookmarks (`outline`). `text=False` draws only boxes: a scan's pages.
    `word_by_word` places each word on its own, with no space characters between them (as many
    typesetters do): the reader must see the gaps."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    width, height = A5
    left, top, leading, size, indent = 50, height - 80, 15, 11, 18
    measure = width - 2 * left
    pdf = canvas.Canvas(str(path), pagesize=A5, pageCompression=1)  # deflated, as real PDFs are
    pdf.setTitle(title)
    pdf.setAuthor(author)
    page = [1]
    seen: dict[str, int] = {}

    def finish_page() -> None:
        if running_heads and text:
            pdf.setFont("Times-Italic", 9)
            pdf.drawCentredString(width / 2, height - 40, title if page[0] % 2 == 0 else author)
        if page_numbers and text:
            pdf.setFont("Times-Roman", 9)
            pdf.drawCentredString(width / 2, 30, str(page[0]))
        if not text:
            pdf.rect(left, 60, measure, height - 140, fill=1)
        pdf.showPage()
        page[0] += 1

    def lines_of(paragraph: str) -> list[str]:
        lines, line = [], ""
        for word in paragraph.split():
            key = word.strip(",.;").lower()
            first = not line
            candidate = word if first else f"{line} {word}"
            if key in breaks:
                seen[key] = seen.get(key, 0) + 1
                if seen[key] % 2:  # every other one ends a line, broken where `breaks` says
                    cut = breaks[key]
                    head, tail = word[:cut], word[cut:]
                    head = head if head.endswith("-") else head + "-"
                    lines.append(head if first else f"{line} {head}")
                    line = tail
                    continue
            room = measure - (indent if not lines else 0)
            if stringWidth(candidate, "Times-Roman", size) > room and not first:
                lines.append(line)
                line = word
            else:
                line = candidate
        return lines + [line] if line else lines

    for number, (chapter, paragraphs) in enumerate(body.items()):
        if outline:
            pdf.bookmarkPage(f"c{number}")
            pdf.addOutlineEntry(chapter, f"c{number}", level=0)
        y = top
        if headings:
            pdf.setFont("Times-Bold", 16)
            pdf.drawString(left, y, chapter) if text else None
            y -= 2.5 * leading
        used = 0
        for paragraph in paragraphs:
            for index, line in enumerate(lines_of(paragraph)):
                if used == lines_per_page:
                    finish_page()
                    y, used = top, 0
                if text:
                    pdf.setFont("Times-Roman", size)
                    x = left + (indent if index == 0 else 0)
                    if word_by_word:
                        for word in line.split():
                            pdf.drawString(x, y, word)
                            x += stringWidth(word + " ", "Times-Roman", size)
                    else:
                        pdf.drawString(x, y, line)
                y -= leading
                used += 1
        finish_page()
    pdf.save()
    return path
