#include <iostream>
int main() { std::cout << "sonoria\n"; return 0; }
