"""Request and response bodies of sign-in and accounts."""

from typing import Literal

from pydantic import BaseModel, Field

from api.core.schemas import RequestBody


class LoginRequest(RequestBody):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class UserCreate(RequestBody):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8, max_length=1024)
    is_admin: bool = False


class UserOut(BaseModel):
    id: str
    email: str
    is_admin: bool


class PasswordChange(RequestBody):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)


class PasswordReset(RequestBody):
    new_password: str = Field(min_length=8, max_length=1024)
