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


def test_kin_given_check_skips_counting_only_where_no_first_name_could_match():
    from collections import Counter

    from barkflow.text import characters, joins
    from barkflow.text.givennames import one_given_name
    huck = characters._Entry(None, "Huckleberry", "Finn", "M",
                             Counter({(None, "Huckleberry Finn"): 4, (None, "Huck Finn"): 6}),
                             givens={"Huckleberry", "Huck"})
    for first in ("Huck", "Hucky", "Huckleberry", "Tom", "Finn"):
        plain = any(first == g or one_given_name(first, g) for g in joins.plain_givens(huck))
        assert joins.may_share_given(huck, first) or not plain
        for familiar_only in (False, True):
            slow = any((first == g and not familiar_only or one_given_name(first, g))
                       and (not familiar_only or characters.familiar(first, g)) for g in joins.plain_givens(huck))
            assert characters._kin_given(huck, first, frozenset(), {}, familiar_only) == slow
