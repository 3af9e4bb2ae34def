"""Builds evsenet's compiled pricing kernel; everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "evsenet.domain.pricing._kernel",
            sources=["src/evsenet/domain/pricing/_kernel.c"],
            depends=[
                f"src/evsenet/domain/pricing/_kernel_{part}.h"
                for part in ("dec", "types", "read", "prepare", "slice", "price")
            ],
            extra_compile_args=["-O2", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            optional=False,
        )
    ]
)
