# Fails unless README.md holds EXAMPLE's text word for word (its embedding example, compiled by
# tools/consumer.sh), so the README shows code that builds. Usage: cmake -DREADME=... -DEXAMPLE=... -P this
file(READ "${README}" readme)
file(READ "${EXAMPLE}" example)
string(FIND "${readme}" "${example}" position)
if(position EQUAL -1)
  message(FATAL_ERROR "${README} does not hold ${EXAMPLE} word for word: copy the file into its embedding example")
endif()
