# Embeds the text file IN as the C string mist_default_study_yaml in OUT.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* Generated from scripts/studies/default.yaml; do not edit. */\n"
  "const char mist_default_study_yaml[] = {${bytes} 0x00};\n")
