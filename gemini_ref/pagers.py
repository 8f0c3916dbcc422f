"""Listings that arrive a page at a time (``{"models": [...], "nextPageToken": "..."}``).

A pager holds the current page and a function that fetches the page for a token. Iterating it
yields every item of every page, fetching the next page only when the current one runs out and
stopping when the service sends no ``nextPageToken``. As in the official SDK, iteration moves the
pager along: afterwards ``page`` is the last page fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str | None


class _BasePager(Generic[T]):
    def __init__(self, first: Page[T]) -> None:
        self._page = first

    @property
    def page(self) -> list[T]:
        """The items of the current page."""
        return self._page.items

    @property
    def next_page_token(self) -> str | None:
        """The token of the page after this one, or ``None`` on the last page."""
        return self._page.next_page_token

    def __len__(self) -> int:
        return len(self._page.items)

    def __getitem__(self, index: int) -> T:
        return self._page.items[index]

    def _next_token(self) -> str:
        if not self._page.next_page_token:
            raise IndexError("no more pages")
        return self._page.next_page_token


class Pager(_BasePager[T]):
    def __init__(self, fetch: Callable[[str], Page[T]], first: Page[T]) -> None:
        super().__init__(first)
        self._fetch = fetch

    def next_page(self) -> list[T]:
        """Fetch the next page and make it current; ``IndexError`` on the last page."""
        self._page = self._fetch(self._next_token())
        return self.page

    def __iter__(self) -> Iterator[T]:
        while True:
            yield from self.page
            if not self.next_page_token:
                return
            self.next_page()


class AsyncPager(_BasePager[T]):
    def __init__(self, fetch: Callable[[str], Awaitable[Page[T]]], first: Page[T]) -> None:
        super().__init__(first)
        self._fetch = fetch

    async def next_page(self) -> list[T]:
        """Fetch the next page and make it current; ``IndexError`` on the last page."""
        self._page = await self._fetch(self._next_token())
        return self.page

    async def __aiter__(self) -> AsyncIterator[T]:
        while True:
            for item in self.page:
                yield item
            if not self.next_page_token:
                return
            await self.next_page()
