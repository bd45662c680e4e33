"""What a question names that the notes do not: ids, advisories and tracker entries no document
names, names and rare words no document uses, and terms the named product's notes lack while other
products' notes have them. The retriever reports them; ``bot.kb.answer.refusal`` decides."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kb.query import QueryAnalysis
from bot.kb.vocabulary import ProductVocabulary


@dataclass(frozen=True)
class Gaps:
    # model, issue and advisory ids and tracker entries ('PR-3700') no document names, each with
    # similar named ones
    unknown_names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # names no document uses ("knx"), in a question about what a product supports
    unknown_terms: tuple[str, ...] = ()
    # rare words, plain capitalised words and names describing the user's set-up that no document
    # uses ("bluetooth", "Cisco", "NVIDIA"): with weak evidence, the question is about what the
    # notes lack
    unknown_words: tuple[str, ...] = ()
    # (term, product, the products whose documents use it): named products' notes lack the term
    foreign_terms: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def notices(self) -> list[str]:
        """One line per gap an answer may carry; unknown rare words are none ("(Note: no
        document mentions wirelessly.)" under an answer helps nobody)."""
        return (
            [
                f"no document names {n}; similar: {', '.join(s) or 'none'}"
                for n, s in self.unknown_names
            ]
            + [f"no document mentions {term}" for term in self.unknown_terms]
            + [
                f"no {product} document mentions {term}; {', '.join(using)} do"
                for term, product, using in self.foreign_terms
            ]
        )


def find_gaps(
    analysis: QueryAnalysis,
    vocabulary: ProductVocabulary,
    products: list[str],
    audience: str,
) -> Gaps:
    """The gaps of a question asked of ``products`` (named, filtered on or guessed)."""
    unknown = vocabulary.unknown_names(analysis.identifiers, audience)
    unknown += vocabulary.unknown_references(
        analysis.advisories, analysis.trackers, products, audience
    )
    # a name no document uses refuses outright in a question about what a product supports;
    # describing the user's own set-up ("laptops with Nvidia graphics"), only with weak evidence
    names = vocabulary.unknown_terms(analysis.names, audience)
    apart = set(names) | set(vocabulary.unknown_terms(analysis.plain_names, audience))
    names += [
        p
        for p in vocabulary.unknown_phrases(analysis.phrases, audience)
        if not apart.intersection(p.split(" "))  # a word of it no document uses says enough
    ]
    terms = names if analysis.capability else []
    words = [
        w
        for w in dict.fromkeys(
            ([] if analysis.capability else names)
            + vocabulary.unknown_words(analysis.rare, audience)
            + vocabulary.unknown_terms(analysis.plain_names, audience)
        )
        if w not in terms
    ]
    # a rare word counts only when another product the question names uses it ("positional audio
    # like Mumble has"): one the named product's notes lack while one or two others have it is as
    # often the user's own set-up ("a huddle room", "our IT subnet") as a missing feature
    named = set(analysis.named_products) | set(analysis.products)
    foreign = [
        (term, product, tuple(using))
        for term, product, using in vocabulary.foreign_terms(
            [t for t in (*analysis.names, *analysis.rare) if t not in vocabulary.aliases],
            analysis.named_products,
            audience,
        )
        if term in analysis.names or named.intersection(using)
    ]
    return Gaps(
        tuple((name, tuple(similar)) for name, similar in unknown),
        tuple(terms),
        tuple(words),
        tuple(foreign),
    )
