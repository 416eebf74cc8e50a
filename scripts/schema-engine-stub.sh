#!/bin/sh
# Stands in for Prisma's native schema engine, which this project never downloads:
# generate/validate/format need only the path to exist; migrations run through the
# WebAssembly engine (scripts/db-migration.ts).
echo "native schema engine unavailable: use npm run db:migration / db:migrate" >&2
exit 1
