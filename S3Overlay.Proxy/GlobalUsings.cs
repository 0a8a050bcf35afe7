global using Microsoft.Extensions.DependencyInjection.Extensions;
