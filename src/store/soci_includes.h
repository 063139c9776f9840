#pragma once
// SOCI, the only way the store reaches its databases. Include this header, never <soci/soci.h>.
//
// Debian's libsoci-dev ships a soci-config.h that defines SOCI_HAVE_BOOST, which makes
// <soci/soci.h> include Boost.Fusion headers, yet the package does not depend on Boost. The store
// uses none of SOCI's Boost integrations (they are inline templates only, no ABI change), so they
// are switched off here and the build does not need libboost-dev.
//
// Bind 64-bit integers as `long long` (SOCI's x_long_long), not std::int64_t (`long` here), so
// that vectors of them are exactly the type the backends expect.
#include <soci/soci-config.h>
#undef SOCI_HAVE_BOOST
#undef SOCI_HAVE_BOOST_DATE_TIME

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
