float broken() {
  return no_such_variable;
}
