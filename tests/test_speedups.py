"""Speed-ups that must leave every result as it was: each faster path against the plain one."""

from barkflow.text import epithets


def test_epithet_tags_found_as_a_whole_book_scan_finds_them():
    text = ('"Come in," said Little Nell. "No," Young Peter said.\n"Well," said\n  Old Jem, '
            'and Old Jem said so. Tiny Tom said Big Bob said nothing. "Yes," answered Old Young Ned.\n'
            'saidLittle Kit. Little Kit’s hat. Little Kitten said.')
    whole = [(m.span(), m.groups()) for m in epithets._TAGGED.finditer(text)]
    assert [(m.span(), m.groups()) for m in epithets._tags(text)] == whole
    assert len(whole) >= 5


def test_compiled_blanks_and_pronoun_patterns_match_the_inline_ones():
    import regex

    from barkflow.text import cues
    for name in ("Mr. John\n  Smith", "St Cloud", "Ann"):
        assert cues.BLANKS.split(name) == regex.split(r"\s+", name)
    for tail in ("d he", "She", "o, I", "the", "Ahe"):
        inline = regex.search(r"(?<![\p{L}])(he|she|I)$", tail, regex.I)
        found = cues.LAST_PRONOUN.search(tail)
        assert (found and found.span()) == (inline and inline.span())
