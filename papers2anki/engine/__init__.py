"""The engine: what makes a build fast, beside the pipeline of stages it runs.

The stages (`sources`, `parse`, `latex`, `render`, `notes`, `lint`, `identity`, `lock`, `package`) turn
records into records and know nothing of this package. The engine decides how a build runs (`build`,
with its `options`): nothing changed (`last_build`), a few files changed (`rebuild`), or in full
(`full`, whose notes are drafted and linted from the cache where they can be: `drafting`). It reads the
sources (`inputs`), sees to the outputs beside the notes (`outputs`: the previous deck files, a build of
part of the sources, the deck files of gone papers), keeps results in the cache (`cache`), spreads work
over processes (`parallel`, `jobs`), and pickles records compactly and gives memory back (`memory`).
Only the public API (`papers2anki.api`) calls it; it never imports `api`, `cli`, `preview` or `push`.
"""
